using Prometheus;

namespace SpaceTime.Security.Capacity;

/// <summary>
/// What a host's front door refused, and why: connections over the caps, requests at capacity, 401s, 429s and bans.
/// The game and the manager export them under the same names, so the same alerts and panels cover both (the
/// <c>job</c> label tells them apart; a request one refuses never reaches the other, so nothing is counted twice).
/// </summary>
public sealed class FrontDoorMetrics
{
    private readonly Gauge _connectionsOpen;
    private readonly Counter _connectionsRefused;
    private readonly Gauge _inFlight;
    private readonly Gauge _queued;
    private readonly Counter _overloaded;
    private readonly Counter _authFailures;
    private readonly Counter _rateLimited;
    private readonly Counter _bans;

    public FrontDoorMetrics(IMetricFactory factory)
    {
        _connectionsOpen = factory.CreateGauge("spacetime_http_connections_open",
            "Connections from outside clients open now (the manager's own to its game are not counted).");
        _connectionsRefused = factory.CreateCounter("spacetime_http_connections_refused_total",
            "Connections refused over max_connections or max_connections_per_client.");
        _inFlight = factory.CreateGauge("spacetime_http_requests_in_flight", "Requests holding one of the max_concurrent_requests slots now.");
        _queued = factory.CreateGauge("spacetime_http_requests_queued", "Requests waiting for a slot now.");
        _overloaded = factory.CreateCounter("spacetime_http_overload_rejections_total", "Requests answered 503 because the server was at capacity.");
        _authFailures = factory.CreateCounter("spacetime_auth_failures_total", "Requests refused with 401.");
        _rateLimited = factory.CreateCounter("spacetime_rate_limit_rejections_total", "Requests refused with 429.");
        _bans = factory.CreateCounter("spacetime_bans_total", "Requests refused because the client is banned.");
    }

    /// <summary>Reads the counts (before each scrape).</summary>
    public void Update(SecurityContext security, ConnectionLimiter connections, RequestGate gate)
    {
        _connectionsOpen.Set(connections.Open);
        _connectionsRefused.IncTo(connections.Refused);
        _inFlight.Set(gate.InFlight);
        _queued.Set(gate.Queued);
        _overloaded.IncTo(gate.Refused);
        _authFailures.IncTo(security.AuthFailures);
        _rateLimited.IncTo(security.RateLimitRejections);
        _bans.IncTo(security.Bans);
    }
}

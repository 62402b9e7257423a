using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Players;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Metrics;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>
/// Fans telemetry out to connected clients: samples the periodic streams (<c>fps</c>, <c>vr_tracking</c>) once per
/// due period and offers each due client the same serialized message, and forwards game events to subscribers.
/// </summary>
public sealed class TelemetryHub : BackgroundService
{
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, TelemetryConnection> _connections = new(StringComparer.Ordinal);
    private readonly HeadlessGame _game;
    private readonly RuntimeMetrics _metrics;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private int _lowFpsSamples;
    private bool _alerting;

    public TelemetryHub(HeadlessGame game, RuntimeMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time)
    {
        _game = game;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        game.SceneLoaded += r => Publish(TelemetryMessages.SceneLoaded, new { scene_path = r.Path, scene_name = r.Name, load_duration_ms = Math.Round(r.LoadDurationMs, 3), node_count = r.NodeCount });
        game.SceneLoadFailed += (path, e) => Publish(TelemetryMessages.SceneLoadFailed, new { scene_path = path, reason = e.Failure.ToString(), message = e.Message });
        game.PlayerSpawned += p => Publish(TelemetryMessages.PlayerSpawned, new { name = p.Name, position = new[] { p.Position.X, p.Position.Y, p.Position.Z } });
        game.Loop.StepFailed += e => Publish(TelemetryMessages.Error, new { source = "simulation", message = e.GetType().Name });
    }

    public int Count => _connections.Count;

    public int CountFrom(string address) => _connections.Values.Count(c => c.Address == address);

    public void Add(TelemetryConnection connection)
    {
        _connections[connection.Id] = connection;
        connection.MessagesDropped += _metrics.TelemetryDropped;
        _metrics.TelemetryConnected();
    }

    public void Remove(TelemetryConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            connection.Complete();
            _metrics.TelemetryDisconnected();
        }
    }

    /// <summary>Sends an event to every client subscribed to it.</summary>
    public void Publish(string name, object data)
    {
        if (_connections.IsEmpty)
        {
            return;
        }

        var message = TelemetryMessages.Event(name, data, _time.GetUtcNow());
        foreach (var connection in _connections.Values)
        {
            if (connection.IsSubscribed(name))
            {
                connection.Enqueue(message);
            }
        }
    }

    public FpsData SampleFps()
    {
        var stats = _game.Loop.GetStatistics();
        var durations = _game.Loop.GetRecentTickDurations();
        var physics = durations.Length > 0 ? durations.TakeLast(90).Average() : 0;
        var memoryMb = Math.Round(Environment.WorkingSet / (1024.0 * 1024.0), 2);
        return new FpsData(Math.Round(stats.AchievedTicksPerSecond, 2), stats.AchievedTicksPerSecond > 0 ? Math.Round(1000 / stats.AchievedTicksPerSecond, 3) : 0,
            Math.Round(physics, 4), memoryMb, memoryMb, stats.Ticks, stats.DroppedTicks, stats.TargetTicksPerSecond, _game.Paused);
    }

    public VrTrackingData SampleVr()
    {
        var vr = _game.Summary.Vr;
        static TrackedPose? Pose(Pose? p) => p is { } pose
            ? new TrackedPose([Math.Round(pose.Position.X, 4), Math.Round(pose.Position.Y, 4), Math.Round(pose.Position.Z, 4)],
                [Math.Round(pose.Rotation.X, 5), Math.Round(pose.Rotation.Y, 5), Math.Round(pose.Rotation.Z, 5), Math.Round(pose.Rotation.W, 5)])
            : null;
        return new VrTrackingData(Pose(vr.Headset), Pose(vr.LeftController), Pose(vr.RightController), vr.VrEnabled, vr.FallbackMode,
            State.ControllerJson.From(vr.Simulation.Left), State.ControllerJson.From(vr.Simulation.Right), vr.Simulation.Active, _game.Paused);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SamplePeriod, _time);
        var lastAlertCheck = _time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!_game.Loop.IsRunning)
                {
                    continue;
                }

                var now = _time.GetTimestamp();
                if (_time.GetElapsedTime(lastAlertCheck) >= TimeSpan.FromMilliseconds(_options.FpsIntervalMs))
                {
                    lastAlertCheck = now;
                    CheckFpsAlert();
                }

                if (_connections.IsEmpty)
                {
                    continue;
                }

                OfferDue(TelemetryMessages.Fps, now, SampleFps);
                OfferDue(TelemetryMessages.VrTracking, now, SampleVr);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OfferDue<T>(string stream, long now, Func<T> sample)
        where T : notnull
    {
        byte[]? message = null;
        foreach (var connection in _connections.Values)
        {
            if (!connection.TakeDue(stream, now, _time.TimestampFrequency))
            {
                continue;
            }

            // Sampled and serialized once for every client due in this round.
            message ??= TelemetryMessages.Event(stream, sample(), _time.GetUtcNow());
            if (connection.IsSubscribed(stream))
            {
                // Checked again: the client may have unsubscribed while the sample was taken.
                connection.OfferLatest(stream, message);
            }
        }
    }

    private void CheckFpsAlert()
    {
        var stats = _game.Loop.GetStatistics();
        if (stats.Ticks < stats.TargetTicksPerSecond * 2)
        {
            return; // Warming up.
        }

        if (stats.AchievedTicksPerSecond < _options.AlertFpsThreshold)
        {
            if (++_lowFpsSamples >= _options.AlertAfterSamples && !_alerting)
            {
                _alerting = true;
                Publish(TelemetryMessages.Alert, new AlertData("warning", $"fps {stats.AchievedTicksPerSecond:F1} is under {_options.AlertFpsThreshold}", Math.Round(stats.AchievedTicksPerSecond, 2), _options.AlertFpsThreshold));
            }
        }
        else
        {
            if (_alerting)
            {
                Publish(TelemetryMessages.Alert, new AlertData("info", $"fps recovered to {stats.AchievedTicksPerSecond:F1}", Math.Round(stats.AchievedTicksPerSecond, 2), _options.AlertFpsThreshold));
            }

            _alerting = false;
            _lowFpsSamples = 0;
        }
    }
}

using Microsoft.Extensions.Options;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Runtime.EditorBridge;

public sealed record EditorBridgeStatus(bool Enabled, EditorConnectionStatus? DebugAdapter, EditorConnectionStatus? LanguageServer, bool OverallReady);

/// <summary>
/// Runs the connections to the Godot editor's debug adapter (<c>--dap-port</c>) and language server (<c>--lsp-port</c>)
/// when they are configured; off otherwise.
/// </summary>
public sealed partial class EditorBridgeService : BackgroundService
{
    private readonly ILogger<EditorBridgeService> _logger;

    public EditorBridgeService(IOptions<RuntimeOptions> runtime, IOptions<EditorBridgeOptions> options, TimeProvider time, ILogger<EditorBridgeService> logger)
    {
        _logger = logger;
        var settings = runtime.Value;
        if (settings.DapPort is { } dap)
        {
            DebugAdapter = new EditorConnection(EditorProtocol.DebugAdapter, settings.EditorHost, dap, options.Value, time);
        }

        if (settings.LspPort is { } lsp)
        {
            LanguageServer = new EditorConnection(EditorProtocol.LanguageServer, settings.EditorHost, lsp, options.Value, time);
        }

        foreach (var connection in Connections)
        {
            connection.StateChanged += (c, state) => LogState(_logger, c.ServiceName, c.Port, EditorConnection.StateName(state));
        }
    }

    public EditorConnection? DebugAdapter { get; }

    public EditorConnection? LanguageServer { get; }

    private IEnumerable<EditorConnection> Connections => new[] { DebugAdapter, LanguageServer }.OfType<EditorConnection>();

    /// <summary>Ready when every configured connection is connected (false when none is configured).</summary>
    public EditorBridgeStatus GetStatus() => new(
        Connections.Any(),
        DebugAdapter?.GetStatus(),
        LanguageServer?.GetStatus(),
        Connections.Any() && Connections.All(c => c.State == EditorConnectionState.Connected));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Connections.Select(c => c.RunAsync(stoppingToken)));

    [LoggerMessage(50, LogLevel.Information, "Editor bridge: {Service} on port {Port} is {State}")]
    private static partial void LogState(ILogger logger, string service, int port, string state);
}

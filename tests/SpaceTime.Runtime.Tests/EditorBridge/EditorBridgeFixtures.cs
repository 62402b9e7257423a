using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SpaceTime.Runtime.EditorBridge;

namespace SpaceTime.Runtime.Tests.EditorBridge;

/// <summary>
/// The runtime with its editor bridge pointed at peers on loopback that are up before the host starts (so the first
/// attempt already finds them). Fast back-off; the breaker opens after two consecutive failures.
/// </summary>
public abstract class EditorBridgeRuntimeFixture : RuntimeApiFixture, IAsyncLifetime
{
    public const int Connected = 2;
    public const int BreakerOpen = 3;

    protected virtual int BreakerCooldownMs => 600_000;

    protected virtual int MaxRetries => 2;

    protected virtual int? DapPort => null;

    protected virtual int? LspPort => null;

    protected sealed override IReadOnlyDictionary<string, string> ExtraSettings
    {
        get
        {
            var settings = new Dictionary<string, string>
            {
                ["SpaceTime:EditorBridge:InitialBackoffMs"] = "50",
                ["SpaceTime:EditorBridge:MaxRetries"] = MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SpaceTime:EditorBridge:BreakerCooldownMs"] = BreakerCooldownMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SpaceTime:EditorBridge:CommandTimeoutMs"] = "10000",
            };
            if (DapPort is { } dap)
            {
                settings["SpaceTime:DapPort"] = dap.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (LspPort is { } lsp)
            {
                settings["SpaceTime:LspPort"] = lsp.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return settings;
        }
    }

    public EditorBridgeService Bridge => Services.GetRequiredService<EditorBridgeService>();

    /// <summary>Starts the peers, then the runtime.</summary>
    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await StartPeersAsync();
        await InitializeAsync();
    }

    protected abstract Task StartPeersAsync();

    public async Task<JsonElement> StatusAsync()
    {
        using var admin = CreateClient();
        return await admin.GetJsonAsync("/status");
    }

    /// <summary>Polls <c>/status</c> until <paramref name="done"/> holds for the connection named <paramref name="field"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string field, Func<JsonElement, bool> done, string what, double seconds = 20)
    {
        var status = await Poll.UntilAsync(StatusAsync, s => s.GetProperty(field) is { ValueKind: JsonValueKind.Object } c && done(c),
            $"{field} {what}", TimeSpan.FromSeconds(seconds));
        return status.GetProperty(field);
    }

    public Task<JsonElement> WaitForStateAsync(string field, int state, double seconds = 20) =>
        WaitForAsync(field, c => c.GetProperty("state").GetInt32() == state, $"to reach state {state}", seconds);
}

/// <summary>A DAP peer and clangd (behind socat) both up.</summary>
public sealed class BothPeersRuntimeFixture : EditorBridgeRuntimeFixture
{
    private readonly int _lspPort = LoopbackPort.Free();

    internal DapPeer? Dap { get; private set; }

    internal ClangdOverSocat? Clangd { get; private set; }

    protected override int? DapPort => Dap?.Port;

    protected override int? LspPort => _lspPort;

    protected override async Task StartPeersAsync()
    {
        Dap = DapPeer.Start();
        Clangd = await ClangdOverSocat.StartAsync(_lspPort);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Clangd?.Dispose();
        if (Dap is not null)
        {
            await Dap.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>Only a DAP peer; <see cref="RestartAsync"/> brings it back on the same port.</summary>
public class DapRuntimeFixture : EditorBridgeRuntimeFixture
{
    private readonly int _port = LoopbackPort.Free();

    internal DapPeer? Dap { get; private set; }

    protected virtual bool PeerAcceptsInitialize => true;

    protected override int? DapPort => _port;

    protected override Task StartPeersAsync()
    {
        Dap = DapPeer.Start(_port, PeerAcceptsInitialize);
        return Task.CompletedTask;
    }

    internal async Task RestartAsync()
    {
        if (Dap is not null)
        {
            await Dap.DisposeAsync();
        }

        Dap = DapPeer.Start(_port, PeerAcceptsInitialize);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Dap is not null)
        {
            await Dap.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A DAP peer with a breaker that half-opens after 300 ms.</summary>
public sealed class DapRecoveryRuntimeFixture : DapRuntimeFixture
{
    protected override int BreakerCooldownMs => 300;
}

/// <summary>A DAP peer that answers <c>initialize</c> with <c>success: false</c>; three strikes open the breaker.</summary>
public sealed class RefusingDapRuntimeFixture : DapRuntimeFixture
{
    protected override bool PeerAcceptsInitialize => false;

    protected override int MaxRetries => 3;
}

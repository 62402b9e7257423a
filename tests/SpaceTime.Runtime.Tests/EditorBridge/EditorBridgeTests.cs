using System.Text.Json;
using SpaceTime.Runtime.EditorBridge;

namespace SpaceTime.Runtime.Tests.EditorBridge;

/// <summary>A real language server (clangd behind socat) and a DAP peer: both connect; the LSP side then goes away.</summary>
public sealed class EditorBridgeBothPeersTests(BothPeersRuntimeFixture runtime) : IClassFixture<BothPeersRuntimeFixture>
{
    [Fact]
    public async Task Status_BothPeersUp_ConnectedAndReady_ThenLanguageServerGone_BreakerOpensAndNotReady()
    {
        var lsp = await runtime.WaitForStateAsync("language_server", EditorBridgeRuntimeFixture.Connected);
        var dap = await runtime.WaitForStateAsync("debug_adapter", EditorBridgeRuntimeFixture.Connected);
        var status = await Poll.UntilAsync(runtime.StatusAsync, s => s.GetProperty("overall_ready").GetBoolean(), "overall_ready");
        Assert.Equal("CONNECTED", lsp.Str("state_name"));
        Assert.Equal("Language Server", lsp.Str("service_name"));
        Assert.Equal(runtime.Clangd!.Port, lsp.GetProperty("port").GetInt32());
        Assert.Equal(0, lsp.GetProperty("retry_count").GetInt32());
        Assert.True(lsp.Num("last_activity") > DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), lsp.ToString());
        Assert.Equal("Debug Adapter", dap.Str("service_name"));
        Assert.True(status.GetProperty("editor_bridge").GetBoolean());
        Assert.True(runtime.Dap!.InitializeRequests >= 1);

        runtime.Clangd.Dispose();

        var open = await runtime.WaitForStateAsync("language_server", EditorBridgeRuntimeFixture.BreakerOpen);
        Assert.Equal("CIRCUIT_BREAKER_OPEN", open.Str("state_name"));
        Assert.True(open.GetProperty("retry_count").GetInt32() >= 2, open.ToString());
        Assert.False(string.IsNullOrEmpty(open.Str("last_error")));
        var after = await runtime.StatusAsync();
        Assert.False(after.GetProperty("overall_ready").GetBoolean());
        Assert.Equal(EditorBridgeRuntimeFixture.Connected, after.GetProperty("debug_adapter").GetProperty("state").GetInt32());
    }
}

/// <summary>The DAP peer stops: back-off, then an open breaker that stays open through a long cool-down.</summary>
public sealed class EditorBridgeBreakerTests(DapRuntimeFixture runtime) : IClassFixture<DapRuntimeFixture>
{
    [Fact]
    public async Task DebugAdapter_PeerStopped_LeavesConnectedAndOpensBreakerAfterMaxRetries()
    {
        await runtime.WaitForStateAsync("debug_adapter", EditorBridgeRuntimeFixture.Connected);
        var states = new List<EditorConnectionState>();
        runtime.Bridge.DebugAdapter!.StateChanged += (_, state) =>
        {
            lock (states)
            {
                states.Add(state);
            }
        };

        await runtime.Dap!.StopAsync();

        var open = await runtime.WaitForStateAsync("debug_adapter", EditorBridgeRuntimeFixture.BreakerOpen);
        Assert.True(open.GetProperty("retry_count").GetInt32() >= 2, open.ToString());
        Assert.Equal("CIRCUIT_BREAKER_OPEN", open.Str("state_name"));
        lock (states)
        {
            // Lost the connection, retried once after the back-off, failed again: breaker.
            Assert.Equal(EditorConnectionState.Disconnected, states[0]);
            Assert.Contains(EditorConnectionState.Connecting, states);
            Assert.Equal(EditorConnectionState.CircuitBreakerOpen, states[^1]);
            Assert.DoesNotContain(EditorConnectionState.Connected, states);
        }

        var status = await runtime.StatusAsync();
        Assert.False(status.GetProperty("overall_ready").GetBoolean());
        Assert.Equal(EditorBridgeRuntimeFixture.BreakerOpen, status.GetProperty("debug_adapter").GetProperty("state").GetInt32());
    }
}

/// <summary>The breaker half-opens after its cool-down and closes again once the peer is back.</summary>
public sealed class EditorBridgeRecoveryTests(DapRecoveryRuntimeFixture runtime) : IClassFixture<DapRecoveryRuntimeFixture>
{
    [Fact]
    public async Task DebugAdapter_PeerBackAfterBreakerOpened_RecoversToConnected()
    {
        await runtime.WaitForStateAsync("debug_adapter", EditorBridgeRuntimeFixture.Connected);
        var opened = new TaskCompletionSource();
        runtime.Bridge.DebugAdapter!.StateChanged += (_, state) =>
        {
            if (state == EditorConnectionState.CircuitBreakerOpen)
            {
                opened.TrySetResult();
            }
        };

        await runtime.Dap!.StopAsync();
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        var before = runtime.Dap.InitializeRequests;
        await runtime.RestartAsync();

        var connected = await runtime.WaitForStateAsync("debug_adapter", EditorBridgeRuntimeFixture.Connected);
        Assert.Equal(0, connected.GetProperty("retry_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, connected.GetProperty("last_error").ValueKind);
        Assert.True(runtime.Dap.InitializeRequests >= 1 && before >= 1);
        Assert.True((await runtime.StatusAsync()).GetProperty("overall_ready").GetBoolean());
    }
}

/// <summary>A debug adapter that refuses <c>initialize</c> is never treated as connected.</summary>
public sealed class EditorBridgeRefusedTests(RefusingDapRuntimeFixture runtime) : IClassFixture<RefusingDapRuntimeFixture>
{
    [Fact]
    public async Task DebugAdapter_InitializeRefused_NeverConnectedAndBreakerOpens()
    {
        var connectedSeen = false;
        runtime.Bridge.DebugAdapter!.StateChanged += (_, state) => connectedSeen |= state == EditorConnectionState.Connected;

        var open = await runtime.WaitForAsync("debug_adapter",
            c => c.GetProperty("state").GetInt32() == EditorBridgeRuntimeFixture.BreakerOpen && c.GetProperty("retry_count").GetInt32() >= 3,
            "to give up on the refusing peer");

        Assert.Contains("refused", open.Str("last_error"), StringComparison.Ordinal);
        Assert.True(runtime.Dap!.InitializeRequests >= 3, $"{runtime.Dap.InitializeRequests} initialize requests");
        Assert.False(connectedSeen);
        Assert.Equal(JsonValueKind.Null, open.GetProperty("last_activity").ValueKind);
        Assert.False((await runtime.StatusAsync()).GetProperty("overall_ready").GetBoolean());
    }
}

/// <summary>Without <c>--dap-port</c>/<c>--lsp-port</c> the bridge is off.</summary>
public sealed class EditorBridgeOffTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    [Fact]
    public async Task Status_NoEditorPorts_BridgeOffAndNotReady()
    {
        using var admin = runtime.CreateClient();

        var status = await admin.GetJsonAsync("/status");

        Assert.False(status.GetProperty("editor_bridge").GetBoolean());
        Assert.False(status.GetProperty("overall_ready").GetBoolean());
        Assert.True(status.TryGetProperty("debug_adapter", out var dap) is false || dap.ValueKind == JsonValueKind.Null, status.ToString());
    }
}

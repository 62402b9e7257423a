using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Scripts;

/// <summary>deploy/scripts/smoke_test.sh against a real running manager and game.</summary>
public sealed class SmokeTestTests(SharedSpacetime shared)
{
    [Fact]
    public async Task SmokeTest_AgainstARunningSpacetime_PassesEveryCheck()
    {
        var result = await Tool.ScriptAsync("smoke_test.sh", ["--url", shared.Spacetime.ManagerUrl, "--token", RunningSpacetime.AdminToken]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(7, result.StdOut.Split('\n').Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.EndsWith("7 passed, 0 failed\n", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_WithAWrongToken_FailsTheAuthenticatedChecks()
    {
        var result = await Tool.ScriptAsync("smoke_test.sh", ["--url", shared.Spacetime.ManagerUrl, "--token", "not-a-token"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("PASS health answers 200", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("FAIL status with the token is READY: expected HTTP 200", result.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("2 passed, 5 failed\n", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmokeTest_WhenNothingListens_Fails()
    {
        var result = await Tool.ScriptAsync("smoke_test.sh", ["--url", $"http://127.0.0.1:{LoopbackPort.Free()}", "--token", RunningSpacetime.AdminToken, "--timeout", "2"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("got HTTP 000", result.StdOut, StringComparison.Ordinal);
    }
}

using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Systemd;

/// <summary>deploy/logrotate/spacetime with `logrotate -d` (debug: parses and plans, changes nothing).</summary>
public sealed class LogrotateTests
{
    [Fact]
    public async Task Config_LogrotateDebug_PlansTheRotationWithoutError()
    {
        using var temp = new TempFolder();
        var text = await File.ReadAllTextAsync(RepositoryPaths.Deploy("logrotate", "spacetime"), TestContext.Current.CancellationToken);
        var logs = Directory.CreateDirectory(Path.Combine(temp.Path, "log")).FullName;
        await File.WriteAllTextAsync(Path.Combine(logs, "spacetime.log"), "a line\n", TestContext.Current.CancellationToken);
        // The log folder and the service user are the host's; here they are the test's.
        foreach (var (shipped, test) in new[] { ("/var/log/spacetime/", logs + "/"), ("su spacetime spacetime", $"su {Environment.UserName} {Environment.UserName}") })
        {
            Assert.Contains(shipped, text, StringComparison.Ordinal);
            text = text.Replace(shipped, test, StringComparison.Ordinal);
        }

        var config = Path.Combine(temp.Path, "spacetime");
        await File.WriteAllTextAsync(config, text, TestContext.Current.CancellationToken);

        var result = await LogrotateAsync(config, temp.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("error", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"considering log {logs}/spacetime.log", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogrotateDebug_UnknownDirective_Fails()
    {
        using var temp = new TempFolder();
        var config = Path.Combine(temp.Path, "bad");
        await File.WriteAllTextAsync(config, $"{temp.Path}/*.log {{\n    daily\n    rotatee 3\n}}\n", TestContext.Current.CancellationToken);

        var result = await LogrotateAsync(config, temp.Path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown option 'rotatee'", result.Output, StringComparison.Ordinal);
    }

    private static async Task<ToolResult> LogrotateAsync(string config, string folder) =>
        await Tool.RunAsync(Tool.Require("logrotate", "apt-get install logrotate"), ["-d", "-s", Path.Combine(folder, "state"), config], null);
}

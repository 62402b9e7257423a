using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace SpaceTime.Cli.Tests.Commands;

/// <summary>The real `spacetime health-check` against a real manager supervising a real game.</summary>
public sealed class HealthCheckCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HealthCheck_AgainstARunningManagerAndGame_PassesAllTwelveChecksThenFailsWhenTheGameStops()
    {
        using var data = new TempFolder();
        var (port, godotPort, telemetryPort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        await using var manager = SpacetimeProcess.Start(
            new Dictionary<string, string> { ["TELEMETRY_PORT"] = $"{telemetryPort}" },
            "manage", "--port", $"{port}", "--godot-port", $"{godotPort}", "--data-dir", data.Path);
        using var http = SpacetimeProcess.CreateClient(port);
        var ct = TestContext.Current.CancellationToken;
        await WaitForHealthAsync(http, HttpStatusCode.OK, manager);
        var report = Path.Combine(data.Path, "report.json");
        string[] arguments =
        [
            "health-check", "--url", $"http://127.0.0.1:{godotPort}", "--manager-url", $"http://127.0.0.1:{port}",
            "--telemetry-url", $"ws://127.0.0.1:{telemetryPort}/telemetry", "--data-dir", data.Path, "--json-report", report, "--no-color",
        ];

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, arguments);

        Assert.True(code == 0, output);
        Assert.Contains("Summary: 12 checks: 12 passed, 0 failed, 0 warnings, 0 skipped", output);
        Assert.DoesNotContain("\e[", output, StringComparison.Ordinal);
        Assert.DoesNotContain(SpacetimeProcess.AdminToken, output, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, ct)))
        {
            Assert.Equal(12, json.RootElement.GetProperty("passed").GetInt32());
            Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "Telemetry Handshake" && c.GetProperty("status").GetString() == "pass");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/stop", null, ct)).StatusCode);
        await WaitForHealthAsync(http, HttpStatusCode.ServiceUnavailable, manager);

        (code, output) = await SpacetimeProcess.RunAsync(Deadline, arguments);

        Assert.Equal(1, code);
        Assert.Contains("[FAIL] Manager Health: HTTP 503: Godot process not running", output);
        Assert.Contains("[FAIL] Game API Health: not reachable", output);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, ct)))
        {
            Assert.True(json.RootElement.GetProperty("failed").GetInt32() >= 5);
        }
    }

    [Fact]
    public async Task HealthCheck_FormatJUnit_WritesOneCasePerCheckWithFailuresAndSkips()
    {
        using var data = new TempFolder();
        var missing = Path.Combine(data.Path, "no-such-data-dir");
        var report = Path.Combine(data.Path, "reports", "health.xml");

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "health-check", "--skip-http", "--data-dir", missing, "--format", "junit", "--output", report, "--no-color");

        Assert.Equal(1, code);
        Assert.Contains("[FAIL] Data Directory Writable", output, StringComparison.Ordinal);
        Assert.Contains($"JUnit report written to {report}", output, StringComparison.Ordinal);
        var suite = Assert.Single(XDocument.Load(report).Root!.Elements("testsuite"));
        Assert.Equal("12", suite.Attribute("tests")!.Value);
        Assert.Equal("6", suite.Attribute("skipped")!.Value);
        var cases = suite.Elements("testcase").ToList();
        var failed = Assert.Single(cases, c => c.Element("failure") is not null);
        Assert.Equal("Data Directory Writable", failed.Attribute("name")!.Value);
        Assert.Contains(missing, failed.Element("failure")!.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Equal(6, cases.Count(c => c.Element("skipped") is not null));
    }

    [Fact]
    public async Task HealthCheck_BadUrl_IsAClearError()
    {
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "health-check", "--url", "not a url");

        Assert.Equal(1, code);
        Assert.Contains("--url 'not a url' must be an absolute http or https URL", output);
    }

    private static async Task WaitForHealthAsync(HttpClient http, HttpStatusCode expected, SpacetimeProcess process)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            Assert.False(process.HasExited, $"the manager exited:\n{process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"/health did not answer {expected} within {Deadline}:\n{process.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}

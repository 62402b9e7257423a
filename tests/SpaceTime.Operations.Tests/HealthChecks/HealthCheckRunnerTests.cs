using System.Text.Json;
using SpaceTime.Operations.HealthChecks;

namespace SpaceTime.Operations.Tests.HealthChecks;

/// <summary>The local checks against real files, and the network checks against a closed port.</summary>
public sealed class HealthCheckRunnerTests : IDisposable
{
    private const string StrongSecret = "0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly string _root = Directory.CreateTempSubdirectory("spacetime-health-").FullName;
    private readonly Dictionary<string, string?> _variables = new(StringComparer.Ordinal);

    public HealthCheckRunnerTests()
    {
        var config = Path.Combine(_root, "config");
        Directory.CreateDirectory(config);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "config")))
        {
            File.Copy(file, Path.Combine(config, Path.GetFileName(file)));
        }

        Write("project/project.godot", "config_version=5\n\n[application]\n\nrun/main_scene=\"res://main.tscn\"\n");
        Write("project/main.tscn", "[gd_scene format=3]\n\n[node name=\"Main\" type=\"Node3D\"]\n");
        Directory.CreateDirectory(Path.Combine(_root, "data"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_HealthyInstallationWithoutHttp_PassesEveryLocalCheckAndSkipsTheRest()
    {
        var report = await RunAsync(o => o.SkipHttp = true);

        Assert.Equal(12, report.TotalChecks);
        Assert.Equal(6, report.Passed);
        Assert.Equal(6, report.Skipped);
        Assert.True(report.Healthy);
        Assert.All(report.Checks.Take(6), c => Assert.Equal(CheckStatus.Pass, c.Status));
    }

    [Fact]
    public async Task Run_UnknownKeyInTheEnvironmentFile_FailsTheConfigurationCheckNamingTheKey()
    {
        Write("config/development.json", """{"http_api": {"enabled": true}, "no_such_key": 1}""");

        var check = Find(await RunAsync(o => o.SkipHttp = true), "Configuration Files Valid");

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("no_such_key", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhitelistThatIsNotJson_FailsTheWhitelistCheck()
    {
        Write("config/scene_whitelist.json", "{ not json");

        var report = await RunAsync(o => o.SkipHttp = true);

        Assert.Equal(CheckStatus.Fail, Find(report, "Scene Whitelist Valid").Status);
        Assert.False(report.Healthy);
    }

    [Fact]
    public async Task Run_BrokenScene_FailsTheProjectCheckWithFileAndLine()
    {
        var scene = Write("project/broken.tscn", "[gd_scene format=3]\n\n[node name=\"B\" type=\"Node3D\"]\nposition = @\n");

        var check = Find(await RunAsync(o => o.SkipHttp = true), "Project Scenes Parse");

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains($"{scene}:4:", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingDataDir_FailsWithoutCreatingIt()
    {
        var missing = Path.Combine(_root, "no-data-yet");

        var check = Find(await RunAsync(o => { o.SkipHttp = true; o.DataDir = missing; }), "Data Directory Writable");

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("does not exist", check.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Run_DiskWithLessThanTheMinimumFree_FailsTheDiskCheck()
    {
        var check = Find(await RunAsync(o => { o.SkipHttp = true; o.MinimumFreeBytes = long.MaxValue / 4; }), "Disk Space");

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.True(check.Details.ContainsKey("free_bytes"));
    }

    [Theory]
    [InlineData("REPLACE_WITH_A_SECRET")]
    [InlineData("too-short")]
    public async Task Run_ProductionWithAWeakSecret_FailsTheSecretsCheckWithoutPrintingTheSecret(string weak)
    {
        _variables["JWT_SECRET_KEY"] = StrongSecret;
        _variables["API_TOKEN"] = weak;

        var report = await RunAsync(o => { o.SkipHttp = true; o.Environment = "production"; });

        var check = Find(report, "Production Secrets");
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("API_TOKEN", check.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(weak, report.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain(StrongSecret, report.ToJson(), StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, Find(report, "Configuration Files Valid").Status);
    }

    [Fact]
    public async Task Run_ProductionWithoutJwtSecret_FailsTheSecretsCheck()
    {
        var check = Find(await RunAsync(o => { o.SkipHttp = true; o.Environment = "production"; }), "Production Secrets");

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("JWT_SECRET_KEY", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DevelopmentWithAPlaceholderSecret_OnlyWarns()
    {
        _variables["API_TOKEN"] = "changeme";

        var report = await RunAsync(o => o.SkipHttp = true);

        Assert.Equal(CheckStatus.Warn, Find(report, "Production Secrets").Status);
        Assert.True(report.Healthy);
    }

    [Fact]
    public async Task Run_NothingListening_FailsEachNetworkCheckAsNotReachable()
    {
        var closed = LoopbackPort.Free();

        var report = await RunAsync(o =>
        {
            o.ApiUrl = new Uri($"http://127.0.0.1:{closed}/");
            o.ManagerUrl = new Uri($"http://127.0.0.1:{closed}/");
            o.TelemetryUrl = new Uri($"ws://127.0.0.1:{closed}/telemetry");
            o.Token = "any-token";
        });

        foreach (var name in new[] { "Game API Health", "Game API Status", "Authentication Enforced", "Telemetry Handshake", "Manager Health", "Metrics Endpoint" })
        {
            var check = Find(report, name);
            Assert.Equal(CheckStatus.Fail, check.Status);
            Assert.StartsWith("not reachable", check.Message, StringComparison.Ordinal);
        }

        Assert.Equal(6, report.Failed);
        Assert.False(report.Healthy);
    }

    [Fact]
    public async Task Run_WithoutAToken_SkipsTheChecksThatNeedOne()
    {
        var closed = LoopbackPort.Free();

        var report = await RunAsync(o => { o.ApiUrl = new Uri($"http://127.0.0.1:{closed}/"); o.ManagerUrl = o.ApiUrl; o.TelemetryUrl = new Uri($"ws://127.0.0.1:{closed}/"); });

        Assert.Equal(["Game API Status", "Telemetry Handshake", "Metrics Endpoint"], report.Checks.Where(c => c.Status == CheckStatus.Skip).Select(c => c.Name));
    }

    [Fact]
    public async Task ToJson_Report_HasTheDocumentsShape()
    {
        var report = await RunAsync(o => o.SkipHttp = true);

        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(
            ["timestamp", "total_checks", "passed", "failed", "warnings", "skipped", "duration_seconds", "checks"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(12, root.GetProperty("total_checks").GetInt32());
        var first = root.GetProperty("checks")[0];
        Assert.Equal(["name", "status", "message", "details", "timestamp"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pass", first.GetProperty("status").GetString());
        Assert.Equal("skip", root.GetProperty("checks")[11].GetProperty("status").GetString());
    }

    private async Task<HealthCheckReport> RunAsync(Action<HealthCheckOptions> configure)
    {
        var options = new HealthCheckOptions
        {
            ConfigDir = Path.Combine(_root, "config"),
            ProjectPath = Path.Combine(_root, "project"),
            DataDir = Path.Combine(_root, "data"),
            Variables = name => _variables.GetValueOrDefault(name),
            Timeout = TimeSpan.FromSeconds(5),
        };
        configure(options);
        return await new HealthCheckRunner(options).RunAsync(TestContext.Current.CancellationToken);
    }

    private static HealthCheckResult Find(HealthCheckReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    private string Write(string relativePath, string text)
    {
        var file = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

}

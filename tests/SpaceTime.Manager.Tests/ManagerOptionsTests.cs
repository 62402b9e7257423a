using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests;

public class ManagerOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentsValuesAndValid()
    {
        var options = new ManagerOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(8090, options.Port);
        Assert.Equal(8080, options.GodotPort);
        Assert.Equal("res://vr_main.tscn", options.ScenePath);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PlayerTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CheckInterval);
        Assert.Equal(3, options.MaxRestarts);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RestartWindow);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StopGrace);
    }

    [Fact]
    public void Validate_BadValues_NamesEachKey()
    {
        var options = new ManagerOptions
        {
            GodotPort = 0,
            ScenePath = "vr_main.tscn",
            CheckInterval = TimeSpan.Zero,
            MaxRestarts = -1,
        };

        var errors = options.Validate();

        foreach (var key in new[] { "GodotPort", "ScenePath", "CheckInterval", "MaxRestarts" })
        {
            Assert.Contains(errors, e => e.StartsWith(key + ":", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_SceneMissingFromTheProject_NamesTheSceneAndProject()
    {
        var project = Path.Combine(AppContext.BaseDirectory, "project");
        var options = new ManagerOptions { ProjectPath = project, ScenePath = "res://no_such_scene.tscn" };

        var error = Assert.Single(options.Validate());

        Assert.StartsWith("ScenePath:", error, StringComparison.Ordinal);
        Assert.Contains("res://no_such_scene.tscn", error, StringComparison.Ordinal);
        Assert.Empty(new ManagerOptions { ProjectPath = project }.Validate());
        Assert.Empty(new ManagerOptions { ProjectPath = project, ScenePath = "res://no_such_scene.tscn", AutoLoadScene = false }.Validate());
    }

    [Fact]
    public void Validate_FolderWithoutProjectGodot_IsRejected()
    {
        var options = new ManagerOptions { ProjectPath = AppContext.BaseDirectory };

        Assert.Contains(options.Validate(), e => e.StartsWith("ProjectPath:", StringComparison.Ordinal) && e.Contains("project.godot", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CapShorterThanFirstDelay_IsRejected()
    {
        var options = new ManagerOptions { RestartDelay = TimeSpan.FromSeconds(10), MaxRestartDelay = TimeSpan.FromSeconds(1) };

        Assert.Contains(options.Validate(), e => e.StartsWith("MaxRestartDelay:", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_BuiltInRuntime_ServesOnTheGodotPortWithTheTokenInTheEnvironmentOnly()
    {
        var options = new ManagerOptions { GodotPort = 18080, ProjectPath = "/srv/game", DataDir = "/var/lib/st" };

        var command = GameCommand.Build(options, new RuntimeLauncher("/usr/bin/dotnet", ["/opt/spacetime.dll"]), "s3cret-token");

        Assert.Equal("/usr/bin/dotnet", command.FileName);
        Assert.Equal(
            ["/opt/spacetime.dll", "serve", "--http-port", "18080", "--scene", "none", "--project", "/srv/game", "--data-dir", "/var/lib/st"],
            command.Arguments);
        Assert.Equal("s3cret-token", command.Environment["API_TOKEN"]);
        Assert.DoesNotContain("s3cret", command.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BuiltInRuntimeWithTelemetryAndDiscoveryPorts_PassesThem()
    {
        var options = new ManagerOptions { GodotPort = 18080, TelemetryPort = 0, DiscoveryPort = 18087 };

        var command = GameCommand.Build(options, new RuntimeLauncher("/usr/bin/dotnet", ["/opt/spacetime.dll"]), "t");

        Assert.Equal(["/opt/spacetime.dll", "serve", "--http-port", "18080", "--scene", "none", "--telemetry-port", "0", "--discovery-port", "18087"], command.Arguments);
    }

    [Fact]
    public void Build_BuiltInRuntimeWithConfigurationFlags_PassesEachAsSet()
    {
        var options = new ManagerOptions
        {
            GodotPort = 18080,
            ConfigurationFlags = new Dictionary<string, string> { ["authentication.token_rotation_enabled"] = "true", ["logging.level"] = "warn" },
        };

        var command = GameCommand.Build(options, new RuntimeLauncher("/usr/bin/dotnet", ["/opt/spacetime.dll"]), "t");

        Assert.Equal(
            ["/opt/spacetime.dll", "serve", "--http-port", "18080", "--scene", "none", "--set", "authentication.token_rotation_enabled=true", "--set", "logging.level=warn"],
            command.Arguments);
    }

    [Fact]
    public void Build_GodotBinary_PassesPathAndEditorPorts()
    {
        var options = new ManagerOptions { GodotPath = "/opt/godot", ProjectPath = "/srv/game", DapPort = 6006, LspPort = 6005 };

        var command = GameCommand.Build(options, new RuntimeLauncher("unused", []), "t");

        Assert.Equal("/opt/godot", command.FileName);
        Assert.Equal(["--path", "/srv/game", "--dap-port", "6006", "--lsp-port", "6005"], command.Arguments);
    }

    [Theory]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("spacetime.example", false)]
    public void Validate_Host_MustBeAnAddress(string host, bool valid)
    {
        var errors = new ManagerOptions { Host = host }.Validate();

        Assert.Equal(valid, !errors.Any(e => e.StartsWith("Host:", StringComparison.Ordinal)));
    }
}

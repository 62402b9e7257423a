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
            ["/opt/spacetime.dll", "serve", "--http-port", "18080", "--telemetry-port", "-1", "--discovery-port", "0", "--scene", "none", "--project", "/srv/game", "--data-dir", "/var/lib/st"],
            command.Arguments);
        Assert.Equal("s3cret-token", command.Environment["API_TOKEN"]);
        Assert.DoesNotContain("s3cret", command.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_GodotBinary_PassesPathAndEditorPorts()
    {
        var options = new ManagerOptions { GodotPath = "/opt/godot", ProjectPath = "/srv/game", DapPort = 6006, LspPort = 6005 };

        var command = GameCommand.Build(options, new RuntimeLauncher("unused", []), "t");

        Assert.Equal("/opt/godot", command.FileName);
        Assert.Equal(["--path", "/srv/game", "--dap-port", "6006", "--lsp-port", "6005"], command.Arguments);
    }

    [Fact]
    public void Build_WithTelemetryPort_GivesTheGameItsTelemetryWebSocket()
    {
        var options = new ManagerOptions { GodotPort = 18080, TelemetryPort = 18081 };

        var command = GameCommand.Build(options, new RuntimeLauncher("/usr/bin/dotnet", ["/opt/spacetime.dll"]), "t");

        Assert.Equal(["/opt/spacetime.dll", "serve", "--http-port", "18080", "--telemetry-port", "18081", "--discovery-port", "0", "--scene", "none"], command.Arguments);
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

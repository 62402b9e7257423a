using System.Text;
using System.Text.RegularExpressions;
using SpaceTime.Engine.Scenes;
using SpaceTime.Engine.Tests.Simulation;
using SpaceTime.Engine.Worlds;

namespace SpaceTime.Engine.Tests.Worlds;

public sealed partial class HeadlessGameTests : IAsyncLifetime
{
    private readonly SteppingTimeProvider _time = new();
    private readonly TempProject _project = new(TempProject.DefaultSettings + "\n\n[physics]\n\ncommon/physics_ticks_per_second=30\n");
    private HeadlessGame? _game;

    private HeadlessGame Game => _game ?? throw new InvalidOperationException("not opened");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_game is not null)
        {
            await _game.DisposeAsync();
        }

        _project.Dispose();
    }

    private HeadlessGame OpenDemo(bool start = true) => Open(TestPaths.DemoProject, start);

    private HeadlessGame Open(string folder, bool start = true)
    {
        _game = HeadlessGame.Open(folder, _time);
        if (start)
        {
            _game.Start();
        }

        return _game;
    }

    private static int DemoNodeSections() => NodeSection().Matches(File.ReadAllText(Path.Combine(TestPaths.DemoProject, "vr_main.tscn"))).Count;

    [Fact]
    public void Open_DemoProject_TicksAtTheProjectRate()
    {
        var game = OpenDemo(start: false);

        Assert.Equal(90, game.Loop.TicksPerSecond);
        Assert.Equal("SpaceTime VR", game.Project.Settings.Name);
        Assert.False(game.Loop.IsRunning);
    }

    [Fact]
    public void Open_ProjectWithOwnTickRate_UsesIt()
    {
        Assert.Equal(30, Open(_project.Root, start: false).Loop.TicksPerSecond);
    }

    [Fact]
    public void Open_MissingFolder_Throws()
    {
        var error = Assert.Throws<SceneLoadException>(() => HeadlessGame.Open(Path.Combine(_project.Root, "nope"), _time));

        Assert.Equal(SceneLoadFailure.NotFound, error.Failure);
    }

    [Fact]
    public async Task LoadSceneAsync_VrMain_ReturnsNameAndNodeCount()
    {
        var game = OpenDemo();
        var loaded = new List<SceneLoadResult>();
        game.SceneLoaded += loaded.Add;

        var result = await game.LoadSceneAsync("res://vr_main.tscn", TestContext.Current.CancellationToken);

        Assert.Equal("VRMain", result.Name);
        Assert.Equal("res://vr_main.tscn", result.Path);
        Assert.Equal(DemoNodeSections(), result.NodeCount);
        Assert.Equal(_time.GetUtcNow(), result.LoadedAt);
        Assert.True(result.LoadDurationMs >= 0);
        Assert.Equal(result, Assert.Single(loaded));
        var state = await game.ReadAsync(w => w.GetSceneState(), TestContext.Current.CancellationToken);
        Assert.True(state.Loaded);
        Assert.Equal(("VRMain", "res://vr_main.tscn", result.NodeCount), (state.Name, state.Path, state.NodeCount));
        Assert.True((await game.ReadAsync(w => w.GetPlayerState(), TestContext.Current.CancellationToken)).Exists);
    }

    [Fact]
    public async Task LoadSceneAsync_NonCanonicalPath_LoadsTheCanonicalScene()
    {
        var game = OpenDemo();

        var result = await game.LoadSceneAsync("res://tests/.//debug.tscn", TestContext.Current.CancellationToken);

        Assert.Equal("res://tests/debug.tscn", result.Path);
        Assert.Equal("Debug", result.Name);
    }

    [Theory]
    [InlineData("vr_main.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("/vr_main.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("res://../project/vr_main.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("res://scenes/../vr_main.tscn", SceneLoadFailure.InvalidPath)]
    [InlineData("res://project.godot", SceneLoadFailure.InvalidPath)]
    [InlineData("res://vr_main.tscn.bak", SceneLoadFailure.InvalidPath)]
    [InlineData("", SceneLoadFailure.InvalidPath)]
    [InlineData("res://missing.tscn", SceneLoadFailure.NotFound)]
    [InlineData("res://scenes/missing.tscn", SceneLoadFailure.NotFound)]
    public async Task LoadSceneAsync_BadPath_ThrowsWithFailureAndKeepsPreviousScene(string path, SceneLoadFailure failure)
    {
        var game = OpenDemo();
        await game.LoadSceneAsync("res://tests/debug.tscn", TestContext.Current.CancellationToken);
        var failed = new List<(string, SceneLoadException)>();
        game.SceneLoadFailed += (p, e) => failed.Add((p, e));

        var error = await Assert.ThrowsAsync<SceneLoadException>(() => game.LoadSceneAsync(path, TestContext.Current.CancellationToken));

        Assert.Equal(failure, error.Failure);
        var (failedPath, failedError) = Assert.Single(failed);
        Assert.Equal(path, failedPath);
        Assert.Same(error, failedError);
        Assert.Equal("Debug", (await game.ReadAsync(w => w.GetSceneState(), TestContext.Current.CancellationToken)).Name);
    }

    [Fact]
    public async Task LoadSceneAsync_ParseError_CarriesLineAndColumn()
    {
        _project.Write("broken.tscn", "[gd_scene format=3]\n\n[node name=\"B\" type=\"Node3D\"]\nposition = Vector3(1, 2)\n");
        var game = Open(_project.Root);

        var error = await Assert.ThrowsAsync<SceneLoadException>(() => game.LoadSceneAsync("res://broken.tscn", TestContext.Current.CancellationToken));

        Assert.Equal(SceneLoadFailure.ParseError, error.Failure);
        Assert.Equal((4, 12), (error.Line, error.Column));
    }

    [Fact]
    public async Task LoadSceneAsync_BeforeStart_Fails()
    {
        var game = OpenDemo(start: false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => game.LoadSceneAsync("res://vr_main.tscn", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LoadSceneAsync_ConcurrentLoads_AllCompleteAndOneWins()
    {
        var game = OpenDemo();
        var paths = new[] { "res://vr_main.tscn", "res://tests/debug.tscn", "res://scenes/menu.tscn", "res://node_3d.tscn" };

        var results = await Task.WhenAll(paths.Select(p => game.LoadSceneAsync(p, TestContext.Current.CancellationToken)));

        Assert.Equal(paths, results.Select(r => r.Path));
        var active = await game.ReadAsync(w => w.GetSceneState().Path, TestContext.Current.CancellationToken);
        Assert.Contains(active, paths);
    }

    [Fact]
    public async Task ReloadSceneAsync_WithoutScene_ReturnsNull()
    {
        var game = OpenDemo();

        Assert.Null(await game.ReloadSceneAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReloadSceneAsync_AfterFileChanged_LoadsTheNewContent()
    {
        var file = _project.Write("level.tscn", "[gd_scene format=3]\n[node name=\"Old\" type=\"Node3D\"]\n");
        var game = Open(_project.Root);
        await game.LoadSceneAsync("res://level.tscn", TestContext.Current.CancellationToken);

        File.WriteAllText(file, "[gd_scene format=3]\n[node name=\"New\" type=\"Node3D\"]\n[node name=\"Child\" type=\"Node3D\" parent=\".\"]\n");
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));
        var reloaded = await game.ReloadSceneAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(reloaded);
        Assert.Equal(("New", "res://level.tscn", 2), (reloaded.Name, reloaded.Path, reloaded.NodeCount));
    }

    [Fact]
    public async Task Ticks_AfterLoad_SpawnThePlayerOnTheDeck()
    {
        var game = OpenDemo();
        var spawned = new TaskCompletionSource<PlayerState>(TaskCreationOptions.RunContinuationsAsynchronously);
        game.PlayerSpawned += s => spawned.TrySetResult(s);
        await game.LoadSceneAsync("res://vr_main.tscn", TestContext.Current.CancellationToken);
        Assert.False((await game.ReadAsync(w => w.GetPlayerState(), TestContext.Current.CancellationToken)).Spawned);

        var start = _time.GetUtcNow();
        var period = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / 90.0));
        var deadline = DateTime.UtcNow + Poll.DefaultTimeout;
        while (!spawned.Task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the player to spawn");
            await _time.AdvanceWhenWaitingAsync(period);
        }

        var state = await spawned.Task;
        Assert.True(state.Spawned);
        Assert.True(state.OnFloor);
        Assert.InRange(state.Position.Y, -0.02f, 0.02f);
        Assert.InRange(state.SpawnedAt!.Value, start + period, _time.GetUtcNow());
        Assert.True(game.Loop.GetStatistics().Ticks >= 2);
    }

    [Fact]
    public async Task ReadAsync_RunsOnTheSimulationThread()
    {
        var game = OpenDemo();

        Assert.Equal("spacetime-simulation", await game.ReadAsync(_ => Thread.CurrentThread.Name, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Validate_GoodScene_ReturnsSceneInfo()
    {
        var validation = OpenDemo(start: false).Validate("res://vr_main.tscn");

        Assert.True(validation.Valid);
        Assert.Empty(validation.Errors);
        Assert.Empty(validation.Warnings);
        Assert.Equal(new SceneInfo(DemoNodeSections(), "Node3D", "VRMain"), validation.SceneInfo);
    }

    [Fact]
    public void Validate_SceneWithoutPlayer_Warns()
    {
        var validation = OpenDemo(start: false).Validate("res://scenes/menu.tscn");

        Assert.True(validation.Valid);
        Assert.Contains(validation.Warnings, w => w.Contains("no player", StringComparison.Ordinal));
        Assert.Equal(new SceneInfo(5, "Control", "Menu"), validation.SceneInfo);
    }

    [Fact]
    public void Validate_BrokenScene_ReturnsErrorsAndNoInfo()
    {
        _project.Write("broken.tscn", "[gd_scene format=3]\n[node name=\"B\" type=\"Node3D\"]\n[node name=\"C\" type=\"Node3D\" parent=\"Nowhere\"]\n");

        var validation = Open(_project.Root, start: false).Validate("res://broken.tscn");

        Assert.False(validation.Valid);
        var error = Assert.Single(validation.Errors);
        Assert.Contains("res://broken.tscn:3", error);
        Assert.Contains("Nowhere", error);
        Assert.Null(validation.SceneInfo);
    }

    [Theory]
    [InlineData("res://missing.tscn")]
    [InlineData("res://../x.tscn")]
    [InlineData("vr_main.tscn")]
    public void Validate_BadPath_IsInvalid(string path)
    {
        var validation = OpenDemo(start: false).Validate(path);

        Assert.False(validation.Valid);
        Assert.Single(validation.Errors);
    }

    [Fact]
    public void Validate_PathWithSpaces_Warns()
    {
        _project.Write("my level.tscn", "[gd_scene format=3]\n[node name=\"L\" type=\"Node3D\"]\n[node name=\"XROrigin3D\" type=\"XROrigin3D\" parent=\".\"]\n");

        var validation = Open(_project.Root, start: false).Validate("res://my level.tscn");

        Assert.True(validation.Valid);
        Assert.Equal(["scene path contains spaces"], validation.Warnings);
    }

    [Fact]
    public void Validate_HugeScene_WarnsAboutNodeCount()
    {
        var text = new StringBuilder("[gd_scene format=3]\n[node name=\"Big\" type=\"Node3D\"]\n[node name=\"XROrigin3D\" type=\"XROrigin3D\" parent=\".\"]\n");
        for (var i = 0; i < HeadlessGame.LargeSceneNodeCount; i++)
        {
            text.Append("[node name=\"N").Append(i).Append("\" type=\"Node3D\" parent=\".\"]\n");
        }

        _project.Write("big.tscn", text.ToString());

        var validation = Open(_project.Root, start: false).Validate("res://big.tscn");

        Assert.True(validation.Valid);
        Assert.Equal(HeadlessGame.LargeSceneNodeCount + 2, validation.SceneInfo?.NodeCount);
        Assert.Contains(validation.Warnings, w => w.Contains("1002 nodes", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\[node ", RegexOptions.Multiline)]
    private static partial Regex NodeSection();
}

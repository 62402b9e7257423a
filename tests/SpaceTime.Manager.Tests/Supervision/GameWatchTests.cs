using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Manager.GameApi;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

/// <summary>
/// The walk to READY and the hang watch on a fake clock, against a scripted game API: a game that stops answering is
/// judged hung within 15 s with the default settings; a game that answers (a paused one does) never is.
/// </summary>
public sealed class GameWatchTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly ScriptedGame _game;
    private readonly SupervisionState _state;
    private readonly GameWatch _watch;

    public GameWatchTests()
    {
        var options = new ManagerOptions();
        _game = new ScriptedGame(_time);
        _state = new SupervisionState(new Lifecycle(_time, NullLogger.Instance), _time, options.ScenePath, options.AutoLoadScene);
        _watch = new GameWatch(options, _game, _state, _time, NullLogger.Instance);
    }

    [Fact]
    public async Task Run_AnsweringGame_WalksToReadyWithTheMainSceneAndThePlayer()
    {
        var run = _watch.RunAsync(42, TestContext.Current.CancellationToken);

        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        Assert.Equal(["res://vr_main.tscn"], _game.LoadedScenes);
        var health = _state.GetHealth();
        // The watch knows the API, the scene and the player; the process is the run loop's (none here).
        Assert.Equal([SupervisionState.ProcessNotRunning], health.BlockingIssues);
        Assert.True(health.GodotApi.Reachable);
        Assert.True(health.Player.Spawned);
        Assert.Equal(new SceneHealth(true, "vr_main", "res://vr_main.tscn"), health.Scene);
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task Run_GameStopsAnswering_IsJudgedHungWithin15Seconds()
    {
        var run = _watch.RunAsync(42, TestContext.Current.CancellationToken);
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        // SIGSTOP: the kernel still accepts connections, nothing answers; every probe runs into its time limit.
        _game.Answering = false;
        var stopped = _time.GetUtcNow();
        await AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(60));

        Assert.InRange(_time.GetUtcNow() - stopped, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(15));
        Assert.Equal($"{SupervisionState.ApiNotReachable} for 3 consecutive checks while the process runs (hung)", await run);
        Assert.Equal(LifecycleState.Degraded, _state.Lifecycle.Current);
    }

    [Fact]
    public async Task Run_GameThatAnswersButDoesNotTick_IsNotHung()
    {
        var run = _watch.RunAsync(42, TestContext.Current.CancellationToken);
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        // A paused game (or one an agent is stepping) answers /health: ten minutes of it is no hang.
        var until = _time.GetUtcNow() + TimeSpan.FromMinutes(10);
        await AdvanceUntilAsync(() => _time.GetUtcNow() >= until, TimeSpan.FromMinutes(11));

        Assert.False(run.IsCompleted);
        Assert.Equal(LifecycleState.Ready, _state.Lifecycle.Current);
        Assert.True(_game.HealthProbes >= 250, $"{_game.HealthProbes} probes in 10 minutes");
    }

    [Fact]
    public async Task Run_OneMissedProbe_DegradesThenRecovers()
    {
        var run = _watch.RunAsync(42, TestContext.Current.CancellationToken);
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        _game.Answering = false;
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Degraded, TimeSpan.FromSeconds(10));
        _game.Answering = true;
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task Run_ClientSwitchedToAnotherScene_TheMainSceneIsLoadedAgainAndTheGameIsReady()
    {
        var run = _watch.RunAsync(42, TestContext.Current.CancellationToken);
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready, TimeSpan.FromSeconds(10));

        // A client loads another scene (one without the player): the manager's target stays the configured main scene.
        _game.CurrentScene = "res://node_3d.tscn";
        await AdvanceUntilAsync(() => _game.LoadedScenes.Count == 2, TimeSpan.FromSeconds(30));
        await AdvanceUntilAsync(() => _state.Lifecycle.Current == LifecycleState.Ready && _game.CurrentScene == "res://vr_main.tscn", TimeSpan.FromSeconds(30));

        Assert.Equal(["res://vr_main.tscn", "res://vr_main.tscn"], _game.LoadedScenes);
        Assert.Equal(new SceneHealth(true, "vr_main", "res://vr_main.tscn"), _state.GetHealth().Scene);
        Assert.False(run.IsCompleted);
    }

    /// <summary>Moves the fake clock in small steps until <paramref name="done"/> holds; fails at <paramref name="limit"/> of fake time.</summary>
    private async Task AdvanceUntilAsync(Func<bool> done, TimeSpan limit)
    {
        var start = _time.GetUtcNow();
        while (!done())
        {
            Assert.True(_time.GetUtcNow() - start < limit, $"not reached within {limit.TotalSeconds} s of fake time; state {_state.Lifecycle.Current}");
            _time.Advance(Step);
            // Let the watch's continuations run before the next step.
            for (var i = 0; i < 5; i++)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>A game API that answers at once, or (not answering) lets each call run into its time limit on the fake clock.</summary>
    private sealed class ScriptedGame(FakeTimeProvider time) : IGameApi
    {
        public volatile bool Answering = true;

        public List<string> LoadedScenes { get; } = [];

        /// <summary>The scene the game runs (what /status reports); a load changes it.</summary>
        public string CurrentScene { get; set; } = "res://vr_main.tscn";

        public int HealthProbes { get; private set; }

        public Uri BaseAddress { get; } = new("http://127.0.0.1:8080/");

        public async Task<GameHealth> GetHealthAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
        {
            HealthProbes++;
            if (Answering)
            {
                return new GameHealth(true, 200, "healthy", null);
            }

            await Task.Delay(timeout ?? TimeSpan.FromSeconds(5), time, cancellationToken);
            return GameHealth.Unreachable("the request timed out");
        }

        public Task<GameStatus?> GetStatusAsync(CancellationToken cancellationToken) => Task.FromResult<GameStatus?>(
            Answering ? new GameStatus("healthy", "1.0.0", 1, new GameScene(true, "VRMain", CurrentScene), new GamePlayer(CurrentScene == "res://vr_main.tscn", true), true) : null);

        public Task<GamePlayer?> GetPlayerAsync(CancellationToken cancellationToken) => Task.FromResult<GamePlayer?>(new GamePlayer(true, true));

        public Task<SceneLoadResult> LoadSceneAsync(string scenePath, CancellationToken cancellationToken)
        {
            LoadedScenes.Add(scenePath);
            CurrentScene = scenePath;
            return Task.FromResult(new SceneLoadResult(true, 200, scenePath, "VRMain", null));
        }
    }
}

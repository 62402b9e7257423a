namespace SpaceTime.Manager.Supervision;

/// <summary>
/// Where the supervised game is: STARTING → API_WAITING → SCENE_LOADING → PLAYER_WAITING → READY on the way up;
/// DEGRADED when it runs but something is missing (or a restart is pending); FAILED when restarts gave up;
/// STOPPED when the operator stopped it (or before the first start).
/// </summary>
public enum LifecycleState
{
    Stopped,
    Starting,
    ApiWaiting,
    SceneLoading,
    PlayerWaiting,
    Ready,
    Degraded,
    Failed,
}

public static class LifecycleStateNames
{
    /// <summary>The wire name: <c>API_WAITING</c>, <c>READY</c>...</summary>
    public static string ToWireName(this LifecycleState state) => state switch
    {
        LifecycleState.Stopped => "STOPPED",
        LifecycleState.Starting => "STARTING",
        LifecycleState.ApiWaiting => "API_WAITING",
        LifecycleState.SceneLoading => "SCENE_LOADING",
        LifecycleState.PlayerWaiting => "PLAYER_WAITING",
        LifecycleState.Ready => "READY",
        LifecycleState.Degraded => "DEGRADED",
        LifecycleState.Failed => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

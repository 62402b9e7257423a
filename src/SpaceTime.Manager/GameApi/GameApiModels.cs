namespace SpaceTime.Manager.GameApi;

/// <summary>The answer to <c>GET /health</c>: reachable means the API answered at all (200 or 503).</summary>
public sealed record GameHealth(bool Reachable, int? StatusCode, string? Status, string? Error)
{
    public static GameHealth Unreachable(string error) => new(false, null, null, error);
}

/// <summary>The scene part of the game's <c>GET /status</c>.</summary>
public sealed record GameScene(bool Loaded, string? Name, string? Path);

/// <summary>The game's <c>GET /state/player</c> (and the player part of <c>GET /status</c>).</summary>
public sealed record GamePlayer(bool Exists, bool Spawned);

/// <summary>The parts of the game's <c>GET /status</c> the manager uses.</summary>
public sealed record GameStatus(string Status, string? Version, double UptimeSeconds, GameScene Scene, GamePlayer Player, bool OverallReady, int? TelemetryPort = null);

/// <summary>The outcome of <c>POST /scene</c>: loaded, or the status and problem detail the game gave (no status when unreachable).</summary>
public sealed record SceneLoadResult(bool Loaded, int? StatusCode, string? Scene, string? SceneName, string? Error);

namespace SpaceTime.Manager.GameApi;

/// <summary>The questions the supervisor asks of the game's API. Failures to reach the game are results, not exceptions.</summary>
public interface IGameApi
{
    /// <summary>Where the API is, for messages.</summary>
    Uri BaseAddress { get; }

    /// <summary><c>GET /health</c>, limited to <paramref name="timeout"/> (default: the client's request limit).</summary>
    Task<GameHealth> GetHealthAsync(CancellationToken cancellationToken, TimeSpan? timeout = null);

    /// <summary><c>GET /status</c>; null when the game cannot be reached or does not answer 200.</summary>
    Task<GameStatus?> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary><c>GET /state/player</c>; null when the game cannot be reached or does not answer 200.</summary>
    Task<GamePlayer?> GetPlayerAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /scene</c>.</summary>
    Task<SceneLoadResult> LoadSceneAsync(string scenePath, CancellationToken cancellationToken);
}

using System.ComponentModel.DataAnnotations;

namespace SpaceTime.Runtime.EditorBridge;

/// <summary>Back-off and circuit-breaker settings of the editor bridge, bound from "SpaceTime:EditorBridge".</summary>
public sealed class EditorBridgeOptions
{
    public const string SectionName = "SpaceTime:EditorBridge";

    /// <summary>First retry delay; doubles each failure (1, 2, 4, 8, 16 s by default).</summary>
    [Range(1, 600_000)]
    public int InitialBackoffMs { get; set; } = 1000;

    /// <summary>Consecutive failures that open the circuit breaker.</summary>
    [Range(1, 100)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>How long the breaker stays open before one trial connection (half-open).</summary>
    [Range(1, 86_400_000)]
    public int BreakerCooldownMs { get; set; } = 30_000;

    /// <summary>Connect and handshake timeout.</summary>
    [Range(1, 600_000)]
    public int CommandTimeoutMs { get; set; } = 10_000;
}

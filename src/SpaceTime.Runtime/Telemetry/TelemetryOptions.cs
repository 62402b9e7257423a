using System.ComponentModel.DataAnnotations;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>Tuning of the telemetry stream, bound from "SpaceTime:Telemetry".</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "SpaceTime:Telemetry";

    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 100;

    [Range(1, 100_000)]
    public int MaxConnectionsPerAddress { get; set; } = 10;

    /// <summary>Default period of the <c>fps</c> stream.</summary>
    [Range(50, 60_000)]
    public int FpsIntervalMs { get; set; } = 500;

    /// <summary>Default period of the <c>vr_tracking</c> stream.</summary>
    [Range(20, 60_000)]
    public int VrTrackingIntervalMs { get; set; } = 100;

    /// <summary>An <c>alert</c> is raised when the achieved rate stays below this for <see cref="AlertAfterSamples"/> samples.</summary>
    [Range(1, 1000)]
    public double AlertFpsThreshold { get; set; } = 85;

    [Range(1, 1000)]
    public int AlertAfterSamples { get; set; } = 3;

    /// <summary>How long a client has to authenticate after connecting.</summary>
    [Range(1, 300)]
    public int AuthTimeoutSeconds { get; set; } = 10;

    [Range(1, 3600)]
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>A client whose socket does not answer keep-alive pings for this long is dropped.</summary>
    [Range(1, 3600)]
    public int IdleTimeoutSeconds { get; set; } = 60;

    /// <summary>Events queued per client before the oldest are dropped.</summary>
    [Range(1, 100_000)]
    public int SendQueueCapacity { get; set; } = 256;

    /// <summary>A send that takes longer than this marks the client as stalled; it is disconnected.</summary>
    [Range(1, 600)]
    public int SendTimeoutSeconds { get; set; } = 10;
}

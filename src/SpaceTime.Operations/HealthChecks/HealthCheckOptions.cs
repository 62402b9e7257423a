namespace SpaceTime.Operations.HealthChecks;

/// <summary>What to check: the local installation (config, project, data dir) and the running servers.</summary>
public sealed class HealthCheckOptions
{
    public Uri ApiUrl { get; set; } = new("http://127.0.0.1:8080/");

    public Uri ManagerUrl { get; set; } = new("http://127.0.0.1:8090/");

    public Uri TelemetryUrl { get; set; } = new("ws://127.0.0.1:8081/telemetry");

    /// <summary>A bearer token for the endpoints that need one; without it those checks are skipped.</summary>
    public string? Token { get; set; }

    /// <summary>Only the local checks.</summary>
    public bool SkipHttp { get; set; }

    public required string ConfigDir { get; set; }

    public string Environment { get; set; } = "development";

    public required string ProjectPath { get; set; }

    public required string DataDir { get; set; }

    /// <summary>Environment variables (secrets are read from them, as the servers do).</summary>
    public Func<string, string?> Variables { get; set; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Time limit of each network check.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Free space below this on the data dir's disk fails; below twice this warns.</summary>
    public long MinimumFreeBytes { get; set; } = 512L * 1024 * 1024;
}

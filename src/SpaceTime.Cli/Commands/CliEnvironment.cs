namespace SpaceTime.Cli.Commands;

/// <summary>
/// The environment variables the commands share, each used when its option is not given: an empty variable counts
/// as unset, and the defaults are those of the servers (config beside the executable, development).
/// </summary>
internal static class CliEnvironment
{
    public static string? Get(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>A port from a variable; a value that is not a number is an error naming the variable.</summary>
    public static int? GetPort(string name) =>
        Get(name) is { } v ? int.TryParse(v, out var n) ? n : throw new ArgumentException($"{name}='{v}' is not a port number", name) : null;

    public static string ConfigDir(string? option) =>
        option ?? Get("SPACETIME_CONFIG_DIR") ?? Path.Combine(AppContext.BaseDirectory, "config");

    /// <summary>production, staging, development or test (<c>GODOT_ENV</c>).</summary>
    public static string EnvironmentName(string? option) => option ?? Get("GODOT_ENV") ?? "development";

    public static string DataDir(string? option) => option ?? Get("SPACETIME_DATA_DIR") ?? Security.DataDirectory.Default;
}

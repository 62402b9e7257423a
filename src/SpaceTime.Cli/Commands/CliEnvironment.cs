using SpaceTime.Security.Configuration;

namespace SpaceTime.Cli.Commands;

/// <summary>
/// The environment variables the commands share, each used when its option is not given, looked up by configuration key
/// in <see cref="EnvironmentVariableTable"/>: an empty variable counts as unset, and the defaults are those of the
/// servers (config beside the executable, development).
/// </summary>
internal static class CliEnvironment
{
    public static string? Get(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>The value of the variable that sets <paramref name="key"/> (<c>manager.port</c> → <c>GODOT_SERVER_PORT</c>).</summary>
    public static string? Setting(string key) => EnvironmentVariableTable.Value(key, System.Environment.GetEnvironmentVariable);

    /// <summary>A port from the variable of <paramref name="key"/>; a value that is not a number is an error naming the variable.</summary>
    public static int? Port(string key)
    {
        if (Setting(key) is not { } v)
        {
            return null;
        }

        var name = EnvironmentVariableTable.ForKey(key).Name;
        return int.TryParse(v, out var n) ? n : throw new ArgumentException($"{name}='{v}' is not a port number", name);
    }

    public static string ConfigDir(string? option) =>
        option ?? Setting("runtime.config_dir") ?? Path.Combine(AppContext.BaseDirectory, "config");

    /// <summary>production, staging, development or test (<c>GODOT_ENV</c>, or the documents' <c>ENVIRONMENT</c>).</summary>
    public static string EnvironmentName(string? option) => option ?? Setting("environment") ?? "development";

    public static string DataDir(string? option) => option ?? Setting("runtime.data_dir") ?? Security.DataDirectory.Default;

    public static string ProjectPath(string? option) => option ?? Setting("runtime.project_path") ?? BundledProject.Path;
}

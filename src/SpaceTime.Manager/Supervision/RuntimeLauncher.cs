using System.Reflection;

namespace SpaceTime.Manager.Supervision;

/// <summary>How to run the built-in runtime: an executable and the arguments before the <c>serve</c> command.</summary>
public sealed record RuntimeLauncher(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>The executable of this process: <c>spacetime</c> itself, or <c>dotnet spacetime.dll</c> when run through the host.</summary>
    public static RuntimeLauncher CurrentProcess()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The path of the current executable is unknown");
        var host = Path.GetFileNameWithoutExtension(process);
        return string.Equals(host, "dotnet", StringComparison.Ordinal) && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry
            ? new RuntimeLauncher(process, [entry])
            : new RuntimeLauncher(process, []);
    }

    /// <summary><c>dotnet path/spacetime.dll</c>.</summary>
    public static RuntimeLauncher DotnetAssembly(string assemblyPath) =>
        new(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet", [Path.GetFullPath(assemblyPath)]);
}

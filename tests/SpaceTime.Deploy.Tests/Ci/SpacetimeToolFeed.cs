using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>The CI tests share one tool feed and run one after another (each starts real pipelines on 2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class CiCollection : ICollectionFixture<SpacetimeToolFeed>
{
    public const string Name = "CI pipelines";
}

/// <summary>
/// A local folder feed holding the SpaceTime.Cli tool package, made once by <c>dotnet pack --no-build</c> of the already built
/// application (what a studio's feed would serve), and the tool installed from it into a temp tool path.
/// </summary>
public sealed class SpacetimeToolFeed : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _folder = new();

    /// <summary>The folder feed (SPACETIME_TOOL_SOURCE).</summary>
    public string Feed => Path.Combine(_folder.Path, "feed");

    /// <summary>A tool path the tool was installed into from <see cref="Feed"/>.</summary>
    public string ToolPath => Path.Combine(_folder.Path, "tool");

    /// <summary>The installed <c>spacetime</c> command.</summary>
    public string Spacetime => Path.Combine(ToolPath, "spacetime");

    /// <summary>The installed tool's application folder (what <c>package build --binaries</c> takes).</summary>
    public string InstalledApplication => Path.Combine(ToolPath, ".store", "spacetime.cli", "1.0.0", "spacetime.cli", "1.0.0", "tools", "net10.0", "any");

    /// <summary>A NuGet packages folder of our own, so no install is answered from the machine's cache.</summary>
    public string NuGetPackages => Path.Combine(_folder.Path, "nuget-packages");

    public string InstallOutput { get; private set; } = "";

    /// <summary>The environment CI jobs get: where the tool comes from, nothing from the machine's NuGet cache.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["SPACETIME_TOOL_SOURCE"] = Feed,
        ["NUGET_PACKAGES"] = NuGetPackages,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
    };

    public async ValueTask InitializeAsync()
    {
        var pack = await Tool.RunAsync(
            "dotnet",
            ["pack", RepositoryPaths.Path("src", "SpaceTime.Cli", "SpaceTime.Cli.csproj"), "-c", "Release", "--no-build", "-o", Feed, "-nologo", "-v", "quiet"],
            RepositoryPaths.Root,
            Environment,
            timeout: PackTimeout);
        Assert.True(pack.ExitCode == 0, $"dotnet pack of the tool failed (build the solution in Release first):\n{pack}");
        Assert.True(File.Exists(Path.Combine(Feed, "SpaceTime.Cli.1.0.0.nupkg")), string.Join(", ", Directory.GetFiles(Feed)));

        var install = await Tool.RunAsync("dotnet", ["tool", "install", "SpaceTime.Cli", "--add-source", Feed, "--tool-path", ToolPath], _folder.Path, Environment, timeout: PackTimeout);
        Assert.True(install.ExitCode == 0, $"dotnet tool install from {Feed} failed:\n{install}");
        InstallOutput = install.Output;
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests;

/// <summary>The checkout these tests were built from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = RepositoryRoot.Find(AppContext.BaseDirectory);

    public static string CliProject => Path.Combine(Root, "src", "SpaceTime.Cli", "SpaceTime.Cli.csproj");
}

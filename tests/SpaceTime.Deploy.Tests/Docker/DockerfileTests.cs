using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Docker;

/// <summary>deploy/docker/Dockerfile with npm dockerfilelint, plus what a linter cannot know about this image.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = Repo.Deploy("docker", "Dockerfile");

    [Fact]
    public async Task Dockerfile_Dockerfilelint_FindsNoIssue()
    {
        var result = await LintAsync(Dockerfile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, JsonNode.Parse(result.StdOut)!["totalIssues"]!.GetValue<int>());
    }

    [Fact]
    public async Task Dockerfilelint_KnownBadDockerfile_ReportsIssues()
    {
        using var temp = new SpaceTime.Cli.Tests.TempFolder();
        var bad = Path.Combine(temp.Path, "Dockerfile");
        await File.WriteAllTextAsync(bad, "FROM ubuntu:latest\nRUN apt-get install curl\nEXPOSE 80000\n", TestContext.Current.CancellationToken);

        var result = await LintAsync(bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(JsonNode.Parse(result.StdOut)!["totalIssues"]!.GetValue<int>() >= 3, result.StdOut);
    }

    [Fact]
    public void Dockerfile_FinalStage_IsTheAspNetRuntimeAsNonRootWithAHealthCheckOnTheManager()
    {
        var lines = Instructions();
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", stages[0], StringComparison.Ordinal);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1]);

        var final = lines.SkipWhile(l => l != stages[^1]).ToList();
        var user = Assert.Single(final, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.Contains(final, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("http://127.0.0.1:8090/health", StringComparison.Ordinal));
        Assert.Contains(final, l => l == "ENTRYPOINT [\"/app/spacetime\"]");
        Assert.Contains(final, l => l.StartsWith("CMD [\"manage\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_BakesInNoSecret()
    {
        var settings = Instructions().Where(l => l.StartsWith("ENV ", StringComparison.Ordinal) || l.StartsWith("ARG ", StringComparison.Ordinal));

        foreach (var setting in settings)
        {
            Assert.DoesNotMatch(SecretName(), setting);
        }
    }

    [Fact]
    public void Dockerfile_EveryCopiedPath_ExistsAndIsInTheBuildContext()
    {
        var ignore = File.ReadAllLines(Repo.Path(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]); // an allow-list: everything else stays out of the context

        var sources = Instructions()
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var trimmed = source.TrimEnd('/');
            Assert.True(File.Exists(Repo.Path(trimmed)) || Directory.Exists(Repo.Path(trimmed)), $"COPY {source}: no such path in the repository");
            Assert.True(ignore.Contains("!" + source) || ignore.Contains("!" + trimmed), $"COPY {source}: .dockerignore keeps it out of the build context");
        }
    }

    private static async Task<ToolResult> LintAsync(string dockerfile)
    {
        var package = Tool.RequireNpm("dockerfilelint", "1.8.0");
        return await Tool.RunAsync(Tool.Require("node", "apt-get install nodejs"), [Path.Combine(package, "bin", "dockerfilelint"), "--json", dockerfile], null);
    }

    /// <summary>The Dockerfile's instructions with continuation lines joined and comments dropped.</summary>
    private static List<string> Instructions()
    {
        var text = File.ReadAllText(Dockerfile).Replace("\\\n", " ", StringComparison.Ordinal);
        return [.. text.Split('\n').Select(l => Spaces().Replace(l.Trim(), " ")).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    [GeneratedRegex("(?i)(SECRET|PASSWORD|API_TOKEN|METRICS_TOKEN|PRIVATE_KEY)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

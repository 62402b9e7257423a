using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Docker;

/// <summary>deploy/docker/Dockerfile with npm dockerfilelint, plus what a linter cannot know about this image.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = RepositoryPaths.Deploy("docker", "Dockerfile");

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
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "Dockerfile");
        await File.WriteAllTextAsync(bad, "FROM ubuntu:latest\nRUN apt-get install curl\nEXPOSE 80000\n", TestContext.Current.CancellationToken);

        var result = await LintAsync(bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(JsonNode.Parse(result.StdOut)!["totalIssues"]!.GetValue<int>() >= 3, result.StdOut);
    }

    [Fact]
    public void Dockerfile_RuntimeStage_IsTheAspNetRuntimeAsNonRootWithAHealthCheckOnTheManager()
    {
        var stages = Stages();
        Assert.Equal(["build", "runtime", "release", "source"], stages.Keys);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", stages["build"][0]);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime", stages["runtime"][0]);

        var runtime = stages["runtime"];
        var user = Assert.Single(runtime, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.Contains(runtime, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("http://127.0.0.1:8090/health", StringComparison.Ordinal));
        Assert.Contains(runtime, l => l == "ENTRYPOINT [\"/app/spacetime\"]");
        Assert.Contains(runtime, l => l.StartsWith("CMD [\"manage\"", StringComparison.Ordinal));

        // Both images are the runtime stage plus the application: from a release package's binaries/, or built from the checkout.
        // The last stage is the default target, so a plain `docker build` in the repository builds from source.
        Assert.Equal("FROM runtime AS release", stages["release"][0]);
        Assert.Equal("FROM runtime AS source", stages["source"][0]);
        Assert.Contains("COPY binaries/ /app/", stages["release"]);
        Assert.Contains("COPY --from=build /app /app", stages["source"]);
        Assert.All(stages["release"].Concat(stages["source"]), l => Assert.DoesNotMatch("^(USER|RUN|ENV|ENTRYPOINT|CMD) ", l));
    }

    [Fact]
    public void Dockerfile_EveryFrom_IsAnEarlierStageOrAnImageWithAPinnedTag()
    {
        // dockerfilelint 1.8 reads "FROM runtime AS release" as an untagged image (deploy/docker/.dockerfilelintrc turns
        // its missing_tag rule off), so this test checks what that rule would have: every image has a pinned tag.
        var seen = new List<string>();
        foreach (var from in Instructions().Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)))
        {
            var parts = from.Split(' ');
            var image = parts[1];
            Assert.True(
                seen.Contains(image) || (image.Contains(':', StringComparison.Ordinal) && !image.EndsWith(":latest", StringComparison.Ordinal)),
                $"'{from}': neither an earlier stage nor an image with a pinned tag");
            seen.Add(parts[^1]);
        }
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
        var ignore = File.ReadAllLines(RepositoryPaths.Path(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]); // an allow-list: everything else stays out of the context

        // The release stage copies from an extracted package, not the repository: PackagedComposeTests builds that one.
        var sources = Stages().Where(s => s.Key != "release").SelectMany(s => s.Value)
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var trimmed = source.TrimEnd('/');
            Assert.True(File.Exists(RepositoryPaths.Path(trimmed)) || Directory.Exists(RepositoryPaths.Path(trimmed)), $"COPY {source}: no such path in the repository");
            Assert.True(ignore.Contains("!" + source) || ignore.Contains("!" + trimmed), $"COPY {source}: .dockerignore keeps it out of the build context");
        }
    }

    private static async Task<ToolResult> LintAsync(string dockerfile)
    {
        var package = Tool.RequireNpm("dockerfilelint", "1.8.0");
        return await Tool.RunAsync(Tool.Require("node", "apt-get install nodejs"), [Path.Combine(package, "bin", "dockerfilelint"), "--json", dockerfile], null);
    }

    /// <summary>The instructions of each build stage, by stage name, in file order.</summary>
    private static Dictionary<string, List<string>> Stages()
    {
        var stages = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var line in Instructions())
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal))
            {
                current = stages[line.Split(' ')[^1]] = [];
            }

            current?.Add(line);
        }

        return stages;
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

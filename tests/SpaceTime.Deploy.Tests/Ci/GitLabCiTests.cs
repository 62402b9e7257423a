using System.Xml.Linq;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>
/// deploy/ci/gitlab-ci.yml run for real by gitlab-ci-local (shell executor) on a sample game repository holding only that file
/// and its game: the tool installs from a folder feed, the scenes job validates the project, the health-check job serves it
/// headless and checks it, and on a tag the release-package job builds and verifies a signed release from the tool's own kit.
/// </summary>
[Collection(CiCollection.Name)]
public sealed class GitLabCiTests(SpacetimeToolFeed tool)
{
    private static readonly TimeSpan PipelineTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Template_OnABranchRunsLintAndTest_OnATagAlsoBuildAndAManualDeploy()
    {
        using var game = await SampleGameRepository.CreateAsync();

        var branch = await GitLabCiLocalAsync(game, null, "--list");
        var tag = await GitLabCiLocalAsync(game, new Dictionary<string, string> { ["CI_COMMIT_TAG"] = "v1.2.3" }, "--list");

        Assert.True(branch.ExitCode == 0, branch.ToString());
        Assert.Equal(["scenes lint on_success", "health-check test on_success"], Jobs(branch.StdOut));
        Assert.True(tag.ExitCode == 0, tag.ToString());
        Assert.Equal(["scenes lint on_success", "health-check test on_success", "release-package build on_success", "deploy deploy manual"], Jobs(tag.StdOut));
    }

    [Fact]
    public async Task Pipeline_WithABrokenScene_FailsAndTheJUnitReportNamesFileAndLine()
    {
        using var game = await SampleGameRepository.CreateAsync();
        game.Write("project/levels/broken.tscn", SampleGameRepository.BrokenScene);
        await game.CommitAllAsync("a broken level");

        var result = await GitLabCiLocalAsync(game);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"FAIL\s+scenes", result.Output);
        Assert.DoesNotContain("starting spacetime manage", result.Output, StringComparison.Ordinal);
        Assert.Contains("project/levels/broken.tscn:4:26: error: unexpected character '@'", result.Output, StringComparison.Ordinal);
        var report = XDocument.Load(game.PathOf("reports/scenes.junit.xml"));
        var failure = Assert.Single(report.Descendants("failure"));
        var testcase = failure.Parent!;
        Assert.Equal("project/levels/broken.tscn", testcase.Attribute("file")!.Value);
        Assert.Equal("4", testcase.Attribute("line")!.Value);
        Assert.Contains("project/levels/broken.tscn:4:26", failure.Attribute("message")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_OnATag_PassesWithJUnitReports_AndBuildsAndVerifiesASignedReleasePackage()
    {
        using var game = await SampleGameRepository.CreateAsync();
        game.Write("scenarios/smoke.json", SampleGameRepository.PassingScenario);
        await game.CommitAllAsync("a scenario");
        using var keys = new TempFolder();
        var keygen = await Tool.RunAsync(tool.Spacetime, ["package", "keygen", "--output", keys.Path], null);
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var release = new Dictionary<string, string>
        {
            ["CI_COMMIT_TAG"] = "v1.2.3",
            ["SPACETIME_SIGNING_KEY"] = Path.Combine(keys.Path, "spacetime-release.secret.asc"),
            ["SPACETIME_PUBLIC_KEY"] = Path.Combine(keys.Path, "spacetime-release.public.asc"),
        };

        var result = await GitLabCiLocalAsync(game, release);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"PASS\s+scenes", result.Output);
        Assert.Matches(@"PASS\s+health-check", result.Output);
        Assert.Contains("Summary: 12 checks: 12 passed, 0 failed", result.Output, StringComparison.Ordinal);
        var scenes = XDocument.Load(game.PathOf("reports/scenes.junit.xml"));
        Assert.Equal("0", scenes.Root!.Attribute("failures")!.Value);
        Assert.Contains(scenes.Descendants("testcase"), c => c.Attribute("file")?.Value == "project/vr_main.tscn");
        var health = XDocument.Load(game.PathOf("reports/health-check.junit.xml"));
        Assert.Equal("12", health.Root!.Attribute("tests")!.Value);
        Assert.Equal("0", health.Root.Attribute("failures")!.Value);
        var scenario = XDocument.Load(game.PathOf("reports/scenario-smoke.junit.xml"));
        Assert.Equal(("2", "0"), (scenario.Root!.Attribute("tests")!.Value, scenario.Root.Attribute("failures")!.Value));
        Assert.All(scenario.Descendants("testcase"), c => Assert.Equal("scenarios/smoke.json", c.Attribute("file")?.Value));
        // The release is built from the kit inside the installed tool: the game repository holds no SpaceTime checkout.
        Assert.Matches(@"PASS\s+release-package", result.Output);
        Assert.Contains("OK: spacetime-vr 1.2.3", result.Output, StringComparison.Ordinal);
        Assert.Contains("signature verified", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(game.PathOf("dist/spacetime-vr-v1.2.3.tar.gz")));
        Assert.True(File.Exists(game.PathOf("dist/spacetime-vr-v1.2.3/nuget/SpaceTime.Cli.1.2.3.nupkg")));
        Assert.DoesNotMatch(@"(PASS|FAIL)\s+deploy", result.Output);
    }

    [Fact]
    public async Task GitLabCiLocal_KnownBadTemplate_IsRejected()
    {
        using var game = await SampleGameRepository.CreateAsync();
        game.Write(".gitlab-ci.yml", "stages: [lint]\nscenes:\n  stage: no-such-stage\n  script:\n    - true\n");
        await game.CommitAllAsync("bad template");

        var result = await GitLabCiLocalAsync(game);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-stage", result.Output, StringComparison.Ordinal);
    }

    /// <summary>"name stage when" of each job in <c>gitlab-ci-local --list</c>.</summary>
    private static List<string> Jobs(string list) =>
        [.. list.Split('\n').SkipWhile(l => !l.StartsWith("name ", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 3).Select(f => $"{f[0]} {f[1]} {f[2]}")];

    /// <summary>
    /// gitlab-ci-local on the game repository, as a fresh shell runner: the tool's feed as the CI/CD variable, and a home of the
    /// pipeline's own (DOTNET_CLI_HOME) for the template's <c>dotnet tool update --global</c>.
    /// </summary>
    private async Task<ToolResult> GitLabCiLocalAsync(SampleGameRepository game, IReadOnlyDictionary<string, string>? extra = null, params string[] options)
    {
        var cli = Path.Combine(Tool.RequireNpm("gitlab-ci-local", "4.56.2"), "src", "index.js");
        Tool.Require("rsync", "apt-get install rsync");
        using var home = new TempFolder();
        var variables = tool.Environment.Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Key, e.Value!))
            .Append(KeyValuePair.Create("DOTNET_CLI_HOME", home.Path)).Concat(extra ?? new Dictionary<string, string>())
            .SelectMany(v => new[] { "--variable", $"{v.Key}={v.Value}" });
        return await Tool.RunAsync(
            "node",
            [cli, "--no-color", "--home", game.PathOf(".gitlab-ci-local-home"), .. options, .. variables],
            game.Root,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = tool.NuGetPackages },
            timeout: PipelineTimeout);
    }
}

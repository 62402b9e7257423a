using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>
/// The repository's .pre-commit-hooks.yaml used by Debian's real pre-commit from a game repository: the hook comes from a git
/// clone of a repository holding that file (as from GitHub), runs the installed spacetime tool, and blocks a broken scene.
/// </summary>
[Collection(CiCollection.Name)]
public sealed class PreCommitHookTests(SpacetimeToolFeed tool)
{
    [Fact]
    public async Task Hook_BrokenSceneBlocksTheCommitNamingFileAndLine_FixedScenePasses()
    {
        using var hooks = await HookRepositoryAsync();
        using var game = await SampleGameRepository.CreateAsync();
        using var home = new TempFolder();
        var rev = (await hooks.GitAsync("rev-parse", "HEAD")).StdOut.Trim();
        game.Write(".pre-commit-config.yaml", $"repos:\n  - repo: {hooks.Root}\n    rev: {rev}\n    hooks:\n      - id: spacetime-scenes-validate\n");
        await game.CommitAllAsync("pre-commit config");
        var environment = new Dictionary<string, string?>
        {
            ["PRE_COMMIT_HOME"] = home.Path,
            ["PATH"] = $"{tool.ToolPath}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        var preCommit = Tool.Require("pre-commit", "apt-get install pre-commit");
        var install = await Tool.RunAsync(preCommit, ["install"], game.Root, environment);
        Assert.True(install.ExitCode == 0, install.ToString());

        game.Write("project/levels/broken.tscn", SampleGameRepository.BrokenScene);
        await game.GitAsync("add", "project/levels/broken.tscn");
        var blocked = await game.RunGitAsync(["commit", "-m", "a broken level"], environment);

        Assert.NotEqual(0, blocked.ExitCode);
        Assert.Contains("spacetime scenes validate", blocked.Output, StringComparison.Ordinal);
        Assert.Contains("Failed", blocked.Output, StringComparison.Ordinal);
        Assert.Contains("project/levels/broken.tscn:4:26: error: unexpected character '@'", blocked.Output, StringComparison.Ordinal);
        Assert.Equal("pre-commit config", (await game.GitAsync("log", "-1", "--format=%s")).StdOut.Trim());

        game.Write("project/levels/broken.tscn", SampleGameRepository.FixedScene);
        await game.GitAsync("add", "project/levels/broken.tscn");
        var passed = await game.RunGitAsync(["commit", "-m", "the level, fixed"], environment);

        Assert.True(passed.ExitCode == 0, passed.ToString());
        Assert.Matches(@"spacetime scenes validate\.+Passed", passed.Output);
        Assert.Equal("the level, fixed", (await game.GitAsync("log", "-1", "--format=%s")).StdOut.Trim());
    }

    [Fact]
    public async Task Hook_IsAnnouncedForScenesResourcesAndProjectFilesOnly()
    {
        var hooks = Yaml.Load(RepositoryPaths.Path(".pre-commit-hooks.yaml")).AsArray();
        var hook = Assert.Single(hooks)!;

        Assert.Equal("spacetime-scenes-validate", hook["id"]!.ToString());
        Assert.Equal("system", hook["language"]!.ToString());
        var files = new System.Text.RegularExpressions.Regex(hook["files"]!.ToString());
        Assert.True(files.IsMatch("project/levels/a.tscn") && files.IsMatch("x.tres") && files.IsMatch("project.godot") && files.IsMatch("game/project.godot"));
        Assert.False(files.IsMatch("player.gd") || files.IsMatch("myproject.godot") || files.IsMatch("a.tscn.bak"));

        var lint = await Tool.RunAsync(Tool.Require("yamllint", "apt-get install yamllint"), ["-s", "-c", RepositoryPaths.Deploy(".yamllint.yml"), ".pre-commit-hooks.yaml"], RepositoryPaths.Root);
        Assert.True(lint.ExitCode == 0, lint.ToString());
    }

    /// <summary>A git repository holding this repository's .pre-commit-hooks.yaml, as pre-commit would clone it.</summary>
    private static async Task<SampleGameRepository> HookRepositoryAsync()
    {
        var repo = await SampleGameRepository.CreateAsync();
        File.Copy(RepositoryPaths.Path(".pre-commit-hooks.yaml"), repo.PathOf(".pre-commit-hooks.yaml"));
        await repo.CommitAllAsync("hooks");
        return repo;
    }
}

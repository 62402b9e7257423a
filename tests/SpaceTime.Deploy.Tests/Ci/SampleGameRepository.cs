using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>
/// A game's repository as a studio would have it after following docs/CI.md: a git repository with the Godot project in
/// <c>project/</c> (a copy of the demo) and the one template file of each CI system copied from <c>deploy/ci/</c>.
/// </summary>
internal sealed class SampleGameRepository : IDisposable
{
    /// <summary>A scene with a syntax error at line 4, column 26.</summary>
    public const string BrokenScene = "[gd_scene format=3]\n\n[node name=\"Broken\" type=\"Node3D\"]\nposition = Vector3(1, 2, @)\n";

    public const string FixedScene = "[gd_scene format=3]\n\n[node name=\"Broken\" type=\"Node3D\"]\nposition = Vector3(1, 2, 3)\n";

    /// <summary>A scenario (scenarios/*.json) that passes on the demo project: pause, then expect the pause.</summary>
    public const string PassingScenario =
        "{ \"name\": \"smoke\", \"steps\": [ { \"name\": \"pause\", \"action\": \"pause\" }, " +
        "{ \"name\": \"paused\", \"action\": \"expect\", \"get\": \"/time\", \"checks\": [ { \"path\": \"paused\", \"equals\": true } ] } ] }\n";

    private readonly TempFolder _folder = new();

    private SampleGameRepository()
    {
    }

    public string Root => _folder.Path;

    public static async Task<SampleGameRepository> CreateAsync()
    {
        var repo = new SampleGameRepository();
        CopyTree(RepositoryPaths.Path("project"), Path.Combine(repo.Root, "project"));
        // docs/CI.md: one file per CI system, nothing else from SpaceTime.
        File.Copy(RepositoryPaths.Deploy("ci", "gitlab-ci.yml"), Path.Combine(repo.Root, ".gitlab-ci.yml"));
        Directory.CreateDirectory(Path.Combine(repo.Root, ".github", "workflows"));
        File.Copy(RepositoryPaths.Deploy("ci", "github-actions.yml"), Path.Combine(repo.Root, ".github", "workflows", "spacetime.yml"));
        File.WriteAllText(Path.Combine(repo.Root, ".gitignore"), "reports/\ndist/\n.gitlab-ci-local/\n.gitlab-ci-local-home/\n");
        await repo.GitAsync("init", "-q", "-b", "main");
        await repo.CommitAllAsync("game");
        return repo;
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string contents)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
    }

    public async Task CommitAllAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", message);
    }

    /// <summary>git in the repository, with a fixed identity and none of the machine's settings; fails the test on error.</summary>
    public async Task<ToolResult> GitAsync(params string[] args)
    {
        var result = await RunGitAsync(args);
        Assert.True(result.ExitCode == 0, $"git {string.Join(' ', args)}:\n{result}");
        return result;
    }

    public Task<ToolResult> RunGitAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
            ["GIT_AUTHOR_NAME"] = "Game Studio",
            ["GIT_AUTHOR_EMAIL"] = "ci@studio.invalid",
            ["GIT_COMMITTER_NAME"] = "Game Studio",
            ["GIT_COMMITTER_EMAIL"] = "ci@studio.invalid",
            ["GIT_DIR"] = null,
            ["GIT_WORK_TREE"] = null,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        return Tool.RunAsync(Tool.Require("git", "apt-get install git"), args, Root, env, timeout: timeout);
    }

    public void Dispose() => _folder.Dispose();

    private static void CopyTree(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }
}

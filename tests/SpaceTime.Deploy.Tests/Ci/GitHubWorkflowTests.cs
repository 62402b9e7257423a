using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Ci;

/// <summary>
/// deploy/ci/github-actions.yml: checked against the workflow schema by action-validator (which rejects a known-bad workflow),
/// and its jobs' <c>run</c> steps (install the tool from a folder feed, <c>spacetime ci STEP</c>) executed as a runner would on a
/// sample game repository holding only that file (there is no local GitHub runner without Docker; checkout and setup-dotnet
/// are what this machine already has).
/// </summary>
[Collection(CiCollection.Name)]
public sealed partial class GitHubWorkflowTests(SpacetimeToolFeed tool)
{
    /// <summary>The repository's variables (<c>vars.*</c>).</summary>
    private readonly Dictionary<string, string> _vars = new() { ["SPACETIME_TOOL_SOURCE"] = tool.Feed };

    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Workflow_ActionValidator_Accepts()
    {
        var result = await ActionValidatorAsync(RepositoryPaths.Deploy("ci", "github-actions.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task ActionValidator_KnownBadWorkflow_IsRejected()
    {
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "bad.yml");
        await File.WriteAllTextAsync(bad, "name: bad\n\"on\": push\njobs:\n  lint:\n    steps:\n      - run: echo ok\n    runs-on: ubuntu-latest\n    timeout: 5\n", TestContext.Current.CancellationToken);

        var result = await ActionValidatorAsync(bad);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Additional property 'timeout' is not allowed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Workflow_StagesRunInOrder_AndEachJobInstallsTheToolAndRunsItsCiStep()
    {
        var workflow = Yaml.Load(RepositoryPaths.Deploy("ci", "github-actions.yml"));
        var jobs = workflow["jobs"]!.AsObject();

        Assert.Equal(["lint", "test", "build", "deploy"], jobs.Select(j => j.Key));
        Assert.Equal("lint", jobs["test"]!["needs"]!.ToString());
        Assert.Equal("test", jobs["build"]!["needs"]!.ToString());
        Assert.Equal("build", jobs["deploy"]!["needs"]!.ToString());
        Assert.Contains("refs/tags/", jobs["build"]!["if"]!.ToString(), StringComparison.Ordinal);
        foreach (var (name, job) in jobs)
        {
            var runs = RunSteps(job!).ToList();
            Assert.Equal(2, runs.Count);
            Assert.StartsWith("dotnet tool update --global SpaceTime.Cli --version \"$SPACETIME_TOOL_VERSION\"", runs[0], StringComparison.Ordinal);
            Assert.Equal($"spacetime ci {name}", runs[1]);
            Assert.Contains(job!["steps"]!.AsArray(), s => s!["uses"]?.ToString().StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true);
            Assert.Contains(job["steps"]!.AsArray(), s => s!["uses"]?.ToString().StartsWith(name == "deploy" ? "actions/download-artifact@" : "actions/upload-artifact@", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task LintAndTestJobs_InstallTheToolAndRunItsSteps_PassOnASampleGame()
    {
        using var game = await SampleGameRepository.CreateAsync();
        game.Write("scenarios/smoke.json", SampleGameRepository.PassingScenario);

        var lint = await RunJobAsync(game, "lint");
        var test = await RunJobAsync(game, "test");

        Assert.True(lint.ExitCode == 0, lint.ToString());
        Assert.Contains("'spacetime.cli' (version '1.0.0') was successfully installed", lint.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("::error", lint.Output, StringComparison.Ordinal);
        Assert.True(test.ExitCode == 0, test.ToString());
        Assert.Contains("Summary: 12 checks: 12 passed, 0 failed", test.Output, StringComparison.Ordinal);
        Assert.Contains("smoke: 2 passed, 0 failed", test.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(game.PathOf("reports/health-check.junit.xml")));
        Assert.Equal("0", XDocument.Load(game.PathOf("reports/scenario-smoke.junit.xml")).Root!.Attribute("failures")!.Value);
        // The step stops what it started: nothing listens on its ports once it has exited.
        var ports = StartedOn().Match(test.StdOut);
        Assert.True(ports.Success, test.StdOut);
        Assert.All(["manager", "game", "telemetry"], p => Assert.False(LoopbackPort.IsListening(int.Parse(ports.Groups[p].Value, CultureInfo.InvariantCulture)), $"the {p} outlived the test step"));
    }

    [Fact]
    public async Task LintJob_BrokenScene_FailsWithAnErrorAnnotationOnFileLineAndColumn()
    {
        using var game = await SampleGameRepository.CreateAsync();
        game.Write("project/levels/broken.tscn", SampleGameRepository.BrokenScene);

        var lint = await RunJobAsync(game, "lint");

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(
            "::error file=project/levels/broken.tscn,line=4,col=26,title=spacetime scenes validate::unexpected character '@' where a value was expected",
            lint.StdOut.Split('\n'));
        Assert.Contains("spacetime ci: error: scenes validate found errors (report: reports/scenes.junit.xml)", lint.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildAndDeployJobs_OnATag_WithKeysAsSecretText_BuildTheSignedPackageFromTheToolsKit_AndDeployItVerified()
    {
        using var game = await SampleGameRepository.CreateAsync();
        using var keys = new TempFolder();
        var passphrase = Path.Combine(keys.Path, "passphrase");
        await File.WriteAllTextAsync(passphrase, "correct horse battery staple\n", TestContext.Current.CancellationToken);
        var keygen = await Tool.RunAsync(tool.Spacetime, ["package", "keygen", "--output", Path.Combine(keys.Path, "keys"), "--passphrase-file", passphrase], null);
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var secrets = new Dictionary<string, string>
        {
            ["SPACETIME_SIGNING_KEY"] = await File.ReadAllTextAsync(Path.Combine(keys.Path, "keys", "spacetime-release.secret.asc"), TestContext.Current.CancellationToken),
            ["SPACETIME_PASSPHRASE"] = "correct horse battery staple",
            ["SPACETIME_PUBLIC_KEY"] = await File.ReadAllTextAsync(Path.Combine(keys.Path, "keys", "spacetime-release.public.asc"), TestContext.Current.CancellationToken),
        };
        var tag = new Dictionary<string, string?> { ["GITHUB_REF_TYPE"] = "tag", ["GITHUB_REF_NAME"] = "v2.0.0" };

        var build = await RunJobAsync(game, "build", secrets, tag);

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("OK: spacetime-vr 2.0.0", build.StdOut, StringComparison.Ordinal);
        Assert.Contains("signature verified", build.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(game.PathOf("dist/spacetime-vr-v2.0.0.tar.gz")));
        Assert.True(File.Exists(game.PathOf("dist/spacetime-vr-v2.0.0/nuget/SpaceTime.Cli.2.0.0.nupkg")));
        Assert.DoesNotContain("BEGIN PGP PRIVATE KEY", build.Output, StringComparison.Ordinal);
        // The secret key given as text went to a private temp file, not into the repository or the release.
        Assert.DoesNotContain(Directory.EnumerateFiles(game.Root, "*.asc", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal));

        // deploy: the package's deploy.sh into a prefix of the test's, "restarted" by `true`, healthy by a stand-in for the manager.
        using var prefix = new TempFolder();
        var healthPort = LoopbackPort.Free();
        using var health = new HttpListener();
        health.Prefixes.Add($"http://127.0.0.1:{healthPort}/");
        health.Start();
        _ = AnswerOkAsync(health);
        var otherKey = await Tool.RunAsync(tool.Spacetime, ["package", "keygen", "--output", Path.Combine(keys.Path, "other")], null);
        Assert.True(otherKey.ExitCode == 0, otherKey.ToString());
        _vars["SPACETIME_DEPLOY_ARGS"] = $"--prefix {prefix.Path} --restart-cmd true --health-url http://127.0.0.1:{healthPort}/health --timeout 30";

        var untrusted = await RunJobAsync(game, "deploy", new Dictionary<string, string>(secrets) { ["SPACETIME_PUBLIC_KEY"] = await File.ReadAllTextAsync(Path.Combine(keys.Path, "other", "spacetime-release.public.asc"), TestContext.Current.CancellationToken) }, tag);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("spacetime ci: error: package verify dist/spacetime-vr-v2.0.0.tar.gz failed", untrusted.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(prefix.Path));

        var deploy = await RunJobAsync(game, "deploy", secrets, tag);
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Contains("2.0.0 is healthy", deploy.Output, StringComparison.Ordinal);
        // The release of an installed tool has no app host: binaries/spacetime is the launcher that deploy.sh and the units start.
        var version = await Tool.RunAsync(Path.Combine(prefix.Path, "current", "spacetime"), ["--version"], null);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^1\.0\.0\+[0-9a-f]{40}\n$", version.StdOut);
    }

    /// <summary>Answers 200 to every request until the listener stops.</summary>
    private static async Task AnswerOkAsync(HttpListener listener)
    {
        try
        {
            while (true)
            {
                var context = await listener.GetContextAsync();
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// Runs a job's <c>run</c> steps in order with the workflow's and the step's env (<c>vars.*</c> and <c>secrets.*</c> filled
    /// in), as a fresh runner would after checkout and setup-dotnet: a home of its own whose <c>~/.dotnet/tools</c> is on PATH
    /// (as on GitHub's images), and no NuGet cache but the test's.
    /// </summary>
    private async Task<ToolResult> RunJobAsync(
        SampleGameRepository game, string job, IReadOnlyDictionary<string, string>? secrets = null, IReadOnlyDictionary<string, string?>? runner = null)
    {
        using var home = new TempFolder();
        var workflow = Yaml.Load(game.PathOf(".github/workflows/spacetime.yml"));
        string Expand(string value) => Expression().Replace(value, m => (m.Groups["scope"].Value switch
        {
            "vars" => _vars.GetValueOrDefault(m.Groups["name"].Value),
            "secrets" => secrets?.GetValueOrDefault(m.Groups["name"].Value),
            _ => null,
        }) ?? "");
        var environment = new Dictionary<string, string?>(tool.Environment)
        {
            ["SPACETIME_TOOL_SOURCE"] = null,
            ["GITHUB_ACTIONS"] = "true",
            ["CI"] = "true",
            ["GITHUB_WORKSPACE"] = game.Root,
            ["GITHUB_REF_TYPE"] = "branch",
            ["GITHUB_REF_NAME"] = "main",
            ["DOTNET_CLI_HOME"] = home.Path,
            ["PATH"] = $"{Path.Combine(home.Path, ".dotnet", "tools")}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        foreach (var (name, value) in workflow["env"]!.AsObject())
        {
            environment[name] = Expand(value!.ToString());
        }

        foreach (var (name, value) in runner ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var output = new List<ToolResult>();
        foreach (var step in workflow["jobs"]![job]!["steps"]!.AsArray().Where(s => s!["run"] is not null))
        {
            var stepEnvironment = new Dictionary<string, string?>(environment);
            foreach (var (name, value) in step!["env"]?.AsObject() ?? new JsonObject())
            {
                stepEnvironment[name] = Expand(value!.ToString());
            }

            var result = await Tool.RunAsync("bash", ["-e", "-c", step["run"]!.ToString()], game.Root, stepEnvironment, timeout: JobTimeout);
            output.Add(result);
            if (result.ExitCode != 0)
            {
                break;
            }
        }

        return new ToolResult(output[^1].ExitCode, string.Concat(output.Select(o => o.StdOut)), string.Concat(output.Select(o => o.StdErr)));
    }

    private static IEnumerable<string> RunSteps(JsonNode job) =>
        job["steps"]!.AsArray().Select(s => s!["run"]?.ToString()).OfType<string>();

    private static Task<ToolResult> ActionValidatorAsync(string workflow) =>
        Tool.RunAsync("node", [Path.Combine(Tool.RequireNpm("@action-validator/cli", "0.6.0"), "cli.mjs"), workflow], null);

    [GeneratedRegex(@"\$\{\{\s*(?<scope>\w+)\.(?<name>\w+)\s*\}\}")]
    private static partial Regex Expression();

    /// <summary>The ports <c>spacetime ci test</c> announces.</summary>
    [GeneratedRegex(@"manager :(?<manager>\d+), game :(?<game>\d+), telemetry :(?<telemetry>\d+)")]
    private static partial Regex StartedOn();
}

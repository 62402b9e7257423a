using System.CommandLine;
using System.Diagnostics;
using SpaceTime.Cli.Ci;
using SpaceTime.Packaging.Archives;
using SpaceTime.Packaging.Layout;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Cli.Commands;

/// <summary>
/// <c>spacetime ci lint|test|build|deploy</c>: the steps of a game repository's pipeline (deploy/ci/ templates, docs/CI.md), run in
/// the repository's root. Each step is the commands a person would type (<c>scenes validate</c>, <c>health-check</c>,
/// <c>scenario run</c>, <c>package build|verify</c>), invoked in-process with the CI's report options, so the templates hold no
/// logic of their own. Settings come from options or the job's variables (SPACETIME_*); reports go to the reports folder.
/// </summary>
internal static class CiCommand
{
    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(120);

    public static Command Create(RootCommand root)
    {
        Task<int> Run(string[] args, CancellationToken cancellationToken) => root.Parse(args).InvokeAsync(cancellationToken: cancellationToken);

        var reports = new Option<string?>("--reports") { Description = "Folder for reports and logs. Default reports. Env: SPACETIME_REPORTS_DIR." };
        var lint = new Command("lint", "Validate every scene, resource and project.godot of the repository (hidden folders aside): JUnit report, and GitHub annotations under GitHub Actions.") { reports };
        lint.SetAction((parse, cancellationToken) => Step(() => LintAsync(Reports(parse, reports), Run, cancellationToken)));

        var project = new Option<string?>("--project") { Description = "The Godot project. Default: the first folder holding project.godot. Env: SPACETIME_PROJECT_DIR." };
        var scene = new Option<string?>("--scene") { Description = "The main scene (res://...). Default: the project's run/main_scene. Env: SPACETIME_SCENE." };
        var readyTimeout = new Option<string?>("--ready-timeout") { Description = "How long the game has to become READY (e.g. 120s, 2m). Default 120s. Env: SPACETIME_READY_TIMEOUT." };
        var test = new Command(
            "test",
            $"Start `spacetime manage` (which runs `spacetime serve` headless) on the project on free ports, wait until READY, run health-check and every {CiRepository.ScenariosFolder}/*.json scenario with JUnit reports, stop it.")
        {
            reports, project, scene, readyTimeout,
        };
        test.SetAction((parse, cancellationToken) => Step(() => TestAsync(
            Reports(parse, reports),
            parse.GetValue(project) ?? CliEnvironment.Get("SPACETIME_PROJECT_DIR"),
            parse.GetValue(scene) ?? CliEnvironment.Get("SPACETIME_SCENE"),
            Duration(parse.GetValue(readyTimeout) ?? CliEnvironment.Get("SPACETIME_READY_TIMEOUT"), DefaultReadyTimeout),
            Run,
            cancellationToken)));

        var version = new Option<string?>("--version") { Description = "The release version. Default: the pipeline's tag without its v. Env: SPACETIME_VERSION." };
        var output = new Option<string?>("--output") { Description = "Folder for the release package. Default dist. Env: SPACETIME_DIST_DIR." };
        var build = new Command(
            "build",
            "Build the signed release package (package build: SpaceTime's checkout when in one, else the kit this tool carries) and verify it against the trusted public key. Env: SPACETIME_SIGNING_KEY, SPACETIME_PASSPHRASE(_FILE), SPACETIME_PUBLIC_KEY (files or armored text).")
        {
            version, output,
        };
        build.SetAction((parse, cancellationToken) => Step(() => BuildAsync(Release(parse, version), Dist(parse, output), Run, cancellationToken)));

        var deploy = new Command(
            "deploy",
            "Verify the release archive against SPACETIME_PUBLIC_KEY, unpack it and run its scripts/deployment/deploy.sh with SPACETIME_DEPLOY_ARGS.")
        {
            version, output,
        };
        deploy.SetAction((parse, cancellationToken) => Step(() => DeployAsync(Release(parse, version), Dist(parse, output), Run, cancellationToken)));

        return new Command("ci", "The steps of a game repository's CI pipeline, run in its root: lint, test, build, deploy (docs/CI.md).") { lint, test, build, deploy };
    }

    private static async Task<int> LintAsync(string reports, Func<string[], CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        var report = Path.Combine(reports, "scenes.junit.xml");
        var status = await run(["scenes", "validate", "--format", "junit", "--output", report, "."], cancellationToken);
        if (CliEnvironment.Get("GITHUB_ACTIONS") == "true")
        {
            // Workflow commands on standard output become annotations on the files; the step's status is the JUnit run's.
            await run(["scenes", "validate", "--format", "github", "."], cancellationToken);
        }

        return status == 0 ? 0 : throw new CiStepException($"scenes validate found errors (report: {report})");
    }

    private static async Task<int> TestAsync(
        string reports, string? projectGiven, string? sceneGiven, TimeSpan readyTimeout, Func<string[], CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        var repository = new CiRepository(Environment.CurrentDirectory);
        var project = repository.ProjectFolder(projectGiven);
        var scene = CiRepository.MainScene(project, sceneGiven);
        Directory.CreateDirectory(reports);
        var log = Path.Combine(reports, "spacetime.log");
        var failures = new List<string>();
        await using (var game = GameUnderTest.Start(project, scene, log, Path.GetFullPath(reports)))
        {
            Console.WriteLine($"spacetime ci: starting spacetime manage on {project} ({scene}): manager :{game.ManagerPort}, game :{game.GamePort}, telemetry :{game.TelemetryPort}");
            await game.WaitUntilReadyAsync(readyTimeout, log, cancellationToken);
            Console.WriteLine("spacetime ci: game READY; running health-check");
            var healthReport = Path.Combine(reports, "health-check.junit.xml");
            if (await run(
                [
                    "health-check", "--url", game.GameUrl, "--manager-url", game.ManagerUrl, "--telemetry-url", game.TelemetryUrl, "--token", game.Token,
                    "--project", project, "--data-dir", game.DataDir, "--no-color",
                    "--format", "junit", "--output", healthReport, "--json-report", Path.Combine(reports, "health-check.json"),
                ],
                cancellationToken) != 0)
            {
                failures.Add($"health-check (report: {healthReport})");
            }

            // Relative to the repository root (the current folder), as CI reports name files.
            foreach (var scenario in repository.Scenarios().Select(s => Path.GetRelativePath(repository.Root, s)))
            {
                var scenarioReport = Path.Combine(reports, $"scenario-{Path.GetFileNameWithoutExtension(scenario)}.junit.xml");
                Console.WriteLine($"spacetime ci: scenario run {scenario}");
                if (await run(["scenario", "run", scenario, "--url", game.GameUrl, "--token", game.Token, "--format", "junit", "--output", scenarioReport], cancellationToken) != 0)
                {
                    failures.Add($"scenario {scenario} (report: {scenarioReport})");
                }
            }
        }

        return failures.Count == 0 ? 0 : throw new CiStepException($"failed: {string.Join("; ", failures)}");
    }

    private static async Task<int> BuildAsync(SemanticVersion version, string dist, Func<string[], CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        using var secrets = new SecretFiles(CliEnvironment.Get);
        if (CliEnvironment.Get("SPACETIME_SIGNING_KEY") is null)
        {
            throw new CiStepException("SPACETIME_SIGNING_KEY (the release signing key) is not set: a release is signed");
        }

        List<string> args = ["package", "build", "--version", version.Text, "--output", dist, "--signing-key", secrets.Key("SPACETIME_SIGNING_KEY"), "--force"];
        if (secrets.Passphrase("SPACETIME_PASSPHRASE") is { } passphrase)
        {
            args.AddRange(["--passphrase-file", passphrase]);
        }

        if (await run([.. args], cancellationToken) != 0)
        {
            throw new CiStepException("package build failed");
        }

        return await VerifyAsync(secrets, Archive(dist, version), run, cancellationToken);
    }

    private static async Task<int> DeployAsync(SemanticVersion version, string dist, Func<string[], CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        using var secrets = new SecretFiles(CliEnvironment.Get);
        var archive = Archive(dist, version);
        await VerifyAsync(secrets, archive, run, cancellationToken);

        // The verified archive, unpacked fresh: a folder left beside it is not what was verified.
        var unpacked = Path.Combine(dist, PackageLayout.FolderName(version));
        if (Directory.Exists(unpacked))
        {
            Directory.Delete(unpacked, recursive: true);
        }

        var extraction = SafeArchiveExtractor.Extract(archive, dist);
        if (extraction.PackageFolder is not { } folder)
        {
            throw new CiStepException($"{archive} could not be unpacked: {string.Join("; ", extraction.Problems)}");
        }

        var deployScript = new ProcessStartInfo("bash") { UseShellExecute = false };
        deployScript.ArgumentList.Add(Path.Combine(folder, "scripts", "deployment", "deploy.sh"));
        // The release's name on the host is its version (deploy.sh would take the folder's name, binaries).
        deployScript.ArgumentList.Add("--version");
        deployScript.ArgumentList.Add(version.Text);
        foreach (var argument in (CliEnvironment.Get("SPACETIME_DEPLOY_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            deployScript.ArgumentList.Add(argument);
        }

        deployScript.ArgumentList.Add(Path.Combine(folder, "binaries"));
        using var process = Process.Start(deployScript) ?? throw new CiStepException("bash could not be started");
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? 0 : throw new CiStepException($"{PackageLayout.FolderName(version)}/scripts/deployment/deploy.sh exited with status {process.ExitCode}");
    }

    private static async Task<int> VerifyAsync(SecretFiles secrets, string archive, Func<string[], CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        if (CliEnvironment.Get("SPACETIME_PUBLIC_KEY") is null)
        {
            throw new CiStepException("SPACETIME_PUBLIC_KEY (the trusted release public key) is not set");
        }

        return await run(["package", "verify", archive, "--public-key", secrets.Key("SPACETIME_PUBLIC_KEY")], cancellationToken) == 0
            ? 0
            : throw new CiStepException($"package verify {archive} failed");
    }

    /// <summary>Runs a step; a <see cref="CiStepException"/> is one line on standard error and exit 1, anything else goes to <see cref="CliErrors"/>.</summary>
    private static Task<int> Step(Func<Task<int>> step) => CliErrors.RunAsync(async () =>
    {
        try
        {
            return await step();
        }
        catch (CiStepException e)
        {
            await Console.Error.WriteLineAsync($"spacetime ci: error: {e.Message}");
            return CliErrors.Failure;
        }
    });

    private static string Reports(ParseResult parse, Option<string?> reports) => parse.GetValue(reports) ?? CliEnvironment.Get("SPACETIME_REPORTS_DIR") ?? "reports";

    private static string Dist(ParseResult parse, Option<string?> output) => parse.GetValue(output) ?? CliEnvironment.Get("SPACETIME_DIST_DIR") ?? "dist";

    private static SemanticVersion Release(ParseResult parse, Option<string?> version) =>
        SemanticVersion.Parse(CiRepository.ReleaseVersion(parse.GetValue(version) ?? CliEnvironment.Get("SPACETIME_VERSION"), CliEnvironment.Get));

    private static string Archive(string dist, SemanticVersion version) => Path.Combine(dist, PackageLayout.FolderName(version) + ".tar.gz");

    private static TimeSpan Duration(string? text, TimeSpan fallback) => text is null
        ? fallback
        : Security.TokenTtl.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"ready timeout '{text}' must look like 120s or 2m", "ready-timeout");
}

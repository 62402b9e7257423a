using System.Text.Json;
using System.Text.RegularExpressions;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Package;

/// <summary>
/// A release package works from itself: a real <c>spacetime package build</c> (signed), the archive extracted into a
/// temporary folder, and the commands its DEPLOYMENT_CHECKLIST.md tells the operator to run, copied from the checklist and
/// run from the extracted folder with only the host paths (and the service's ports) swapped for the test's.
/// </summary>
public sealed partial class ReleasePackageTests
{
    private const string Version = "9.9.9";

    /// <summary>The package's top-level folders; a command argument starting with one names a file the package must hold.</summary>
    private static readonly string[] PackageFolders = ["binaries/", "config/", "scripts/", "tests/", "kubernetes/", "monitoring/", "security/", "docs/"];

    /// <summary>Files the checklist tells the operator to create inside the package folder.</summary>
    private static readonly string[] OperatorCreated = ["config/production/compose/.env", "config/production/compose/tls/"];

    [Fact]
    public async Task ExtractedPackage_EveryChecklistCommandWorksFromIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var root = new TempFolder();
        var (keys, output, extracted) = (Path.Combine(root.Path, "keys"), Path.Combine(root.Path, "out"), Directory.CreateDirectory(Path.Combine(root.Path, "x")).FullName);
        var passphrase = Path.Combine(root.Path, "passphrase");
        await File.WriteAllTextAsync(passphrase, Secrets.Hex(16), ct);

        var keygen = await SpacetimeProcess.RunAsync(TimeSpan.FromMinutes(1), "package", "keygen", "--output", keys, "--passphrase-file", passphrase);
        Assert.True(keygen.ExitCode == 0, keygen.Output);
        var build = await SpacetimeProcess.RunAsync(
            TimeSpan.FromMinutes(3),
            "package", "build", "--version", Version, "--output", output, "--source", RepositoryPaths.Path("."), "--binaries", PublishedApplication(),
            "--signing-key", Path.Combine(keys, "spacetime-release.secret.asc"), "--passphrase-file", passphrase);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Equal(0, (await Tool.RunAsync("tar", ["-xzf", Path.Combine(output, $"spacetime-vr-v{Version}.tar.gz"), "-C", extracted], null)).ExitCode);
        var package = Path.Combine(extracted, $"spacetime-vr-v{Version}");

        var checklist = await File.ReadAllTextAsync(Path.Combine(package, "DEPLOYMENT_CHECKLIST.md"), ct);
        Assert.True(ChecklistItem().Matches(checklist).Count >= 60, "the documents promise a 60+ item deployment checklist");
        Assert.Contains($"# Deployment checklist — SpaceTime VR {Version}", checklist, StringComparison.Ordinal);
        AssertEveryPackagePathExists(checklist, package);

        // The host as the checklist's paths stand for it.
        var host = Directory.CreateDirectory(Path.Combine(root.Path, "host")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(host, "data")).FullName;
        var prefix = Path.Combine(host, "opt");
        var gnupg = Directory.CreateDirectory(Path.Combine(host, "gnupg")).FullName;
        File.SetUnixFileMode(gnupg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var home = Directory.CreateDirectory(Path.Combine(host, "home")).FullName;
        File.Copy(Path.Combine(keys, "spacetime-release.public.asc"), Path.Combine(home, "spacetime-release.public.asc"));
        var paths = new Dictionary<string, string>
        {
            ["/etc/spacetime"] = Path.Combine(host, "etc"),
            ["/var/lib/spacetime"] = data,
            ["/opt/spacetime"] = prefix,
            ["/var/backups/spacetime"] = Path.Combine(host, "backups"),
            ["/etc/prometheus"] = Path.Combine(host, "prometheus"),
            ["~/"] = home + "/",
        };
        var env = new Dictionary<string, string?> { ["GNUPGHOME"] = gnupg };

        // 1. Verify the package.
        await RunAsync(package, Command(checklist, "sha256sum -c", paths), env);
        await RunAsync(package, Command(checklist, "gpg --import", paths), env);
        var gpg = await RunAsync(package, Command(checklist, "gpg --verify", paths), env);
        Assert.Contains("Good signature", gpg.StdErr, StringComparison.Ordinal);
        await RunAsync(package, Command(checklist, "binaries/spacetime package verify", paths), env);
        await RunAsync(package, Command(checklist, "binaries/spacetime --help", paths), env);

        // 2. Configuration: the env file from the template, then every placeholder replaced as the operator would.
        await RunAsync(package, Command(checklist, "install -d -m 700 /etc/spacetime", paths), env);
        await RunAsync(package, Command(checklist, "install -m 600 config/production/.env.template /etc/spacetime/spacetime.env", paths), env);
        var envFile = Path.Combine(paths["/etc/spacetime"], "spacetime.env");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
        await File.WriteAllTextAsync(envFile, OperatorFilled(await File.ReadAllTextAsync(envFile, ct), data), ct);
        var placeholders = await RunAsync(package, Command(checklist, "grep -c '^[A-Z_]*=REPLACE_WITH_'", paths), env, expectedExit: 1);
        Assert.Equal("0", placeholders.StdOut.Trim());
        var loadEnv = Command(checklist, "set -a;", paths);
        await RunAsync(package, $"{loadEnv}; {Command(checklist, "binaries/spacetime health-check --skip-http", paths)}", env);

        // 5. Monitoring, from the package's own kit.
        var monitoring = await RunAsync(package, Command(checklist, "scripts/deployment/setup_monitoring.sh --env-file /etc/spacetime", paths), env);
        Assert.True(File.Exists(Path.Combine(paths["/etc/prometheus"], "alertmanager.yml")), monitoring.ToString());
        await RunAsync(package, Command(checklist, "promtool test rules", paths), env);
        var routes = await RunAsync(package, Command(checklist, "amtool config routes test", paths), env);
        Assert.Contains("oncall", routes.StdOut, StringComparison.Ordinal);

        // 6. Deploy on a single host, the shipped supervisord program standing for the service.
        await using (var service = await Supervisord.StartAsync(Path.Combine(prefix, "current", "spacetime"), data))
        {
            var serviceArgs = $" --restart-cmd '{service.RestartCommand}' --health-url {service.ManagerUrl}/health --timeout 120";
            paths["http://127.0.0.1:8090"] = service.ManagerUrl;
            var deploy = await RunAsync(package, Command(checklist, "scripts/deployment/deploy.sh", paths) + serviceArgs, env, timeout: TimeSpan.FromMinutes(4));
            Assert.True(File.Exists(Path.Combine(prefix, "current", "spacetime")), deploy.ToString());
            var health = await RunAsync(package, Command(checklist, "curl -fsS", paths), env);
            Assert.Equal("healthy", JsonDocument.Parse(health.StdOut).RootElement.GetProperty("server").GetString());
            Assert.Equal("vr_main", JsonDocument.Parse(health.StdOut).RootElement.GetProperty("scene").GetProperty("name").GetString());
            var anonymous = await RunAsync(package, Command(checklist, "curl -s -o /dev/null -w", paths), env);
            Assert.Equal("401", anonymous.StdOut.Trim());

            // 7. Verify, then 4. back up (the data dir now holds a running SpaceTime's state) and list migrations.
            var withToken = new Dictionary<string, string?>(env) { ["SPACETIME_TOKEN"] = RunningSpacetime.AdminToken };
            await RunAsync(package, StripTokenPrefix(Command(checklist, "SPACETIME_TOKEN=... tests/smoke/smoke_test.sh", paths)), withToken);
            await RunAsync(package, Command(checklist, "scripts/maintenance/backup.sh", paths), env);
            Assert.NotEmpty(Directory.GetFiles(paths["/var/backups/spacetime"], "*.tar.gz"));
            await RunAsync(package, Command(checklist, "scripts/migration/migrate_database.sh --data-dir /var/lib/spacetime --status", paths), env);
            var list = await RunAsync(package, Command(checklist, "scripts/deployment/rollback.sh --list", paths), env);
            Assert.Contains($"{Version} (current)", list.StdOut, StringComparison.Ordinal);
        }

        // 6. Docker Compose from the package: the file's paths and build context resolve inside the package.
        await RunAsync(package, Command(checklist, "install -m 600 config/production/.env.template config/production/compose/.env", paths), env);
        var composeEnv = Path.Combine(package, "config", "production", "compose", ".env");
        await File.WriteAllTextAsync(composeEnv, OperatorFilled(await File.ReadAllTextAsync(composeEnv, ct), data), ct);
        await RunAsync(package, Command(checklist, "scripts/deployment/setup_monitoring.sh --env-file config/production/compose/.env", paths), env);
        var tls = Directory.CreateDirectory(Path.Combine(package, "config", "production", "compose", "tls")).FullName;
        await File.WriteAllTextAsync(Path.Combine(tls, "fullchain.pem"), "certificate", ct);
        await File.WriteAllTextAsync(Path.Combine(tls, "privkey.pem"), "key", ct);
        Tool.Require("docker-compose", "apt-get install docker-compose");
        await RunAsync(package, Command(checklist, "docker-compose -f config/production/compose/docker-compose.yml config -q", paths), env);
        AssertComposeResolvesInside(package);

        // 6. Kubernetes from the package.
        Tool.Require("kubectl", "the Kubernetes apt repository's kubectl");
        var kustomize = await RunAsync(package, Command(checklist, "kubectl kustomize kubernetes/overlays/production", paths), env);
        Assert.Contains("kind: StatefulSet", kustomize.StdOut, StringComparison.Ordinal);
    }

    /// <summary>The application the package ships: the solution build's output of src/SpaceTime.Cli (what test.sh builds).</summary>
    private static string PublishedApplication()
    {
        var folder = RepositoryPaths.Path(Path.Combine("src", "SpaceTime.Cli", "bin", "Release", "net10.0"));
        Assert.True(File.Exists(Path.Combine(folder, "spacetime.dll")), $"{folder} holds no spacetime.dll: build the solution in Release first (./test.sh does)");
        return folder;
    }

    /// <summary>The first inline command of the checklist that starts with <paramref name="start"/>, with the host paths swapped.</summary>
    private static string Command(string checklist, string start, IReadOnlyDictionary<string, string> paths)
    {
        var command = CodeSpan().Matches(checklist).Select(m => m.Groups[1].Value).FirstOrDefault(c => c.StartsWith(start, StringComparison.Ordinal));
        Assert.True(command is not null, $"DEPLOYMENT_CHECKLIST.md has no command starting with '{start}'");
        return paths.Aggregate(command, (c, p) => c.Replace(p.Key, p.Value, StringComparison.Ordinal));
    }

    /// <summary>The checklist writes <c>SPACETIME_TOKEN=... command</c>: the test passes the token in the environment instead.</summary>
    private static string StripTokenPrefix(string command) => command["SPACETIME_TOKEN=... ".Length..];

    /// <summary>An env file from the template with every placeholder of a set variable replaced, the data dir moved and an alert webhook set.</summary>
    private static string OperatorFilled(string template, string dataDir) =>
        Placeholder().Replace(template, m => m.Groups["name"].Value + Secrets.Hex(32)).Replace("/var/lib/spacetime", dataDir, StringComparison.Ordinal)
        + "ALERT_WEBHOOK_URL=https://hooks.example.org/spacetime\n";

    private static async Task<ToolResult> RunAsync(string folder, string command, IReadOnlyDictionary<string, string?> environment, int expectedExit = 0, TimeSpan? timeout = null)
    {
        var result = await Tool.RunAsync("/bin/bash", ["-c", command], folder, environment, timeout: timeout);
        Assert.True(result.ExitCode == expectedExit, $"`{command}` (in the extracted package): {result}");
        return result;
    }

    /// <summary>Every argument of a checklist command that names a package path exists in the extracted package.</summary>
    private static void AssertEveryPackagePathExists(string checklist, string package)
    {
        var named = CodeSpan().Matches(checklist)
            .SelectMany(m => m.Groups[1].Value.Split([' ', '='], StringSplitOptions.RemoveEmptyEntries))
            .Select(t => t.Trim('"', '\'', ';', ','))
            .Where(t => PackageFolders.Any(f => t.StartsWith(f, StringComparison.Ordinal)) && !OperatorCreated.Any(o => t.StartsWith(o, StringComparison.Ordinal)))
            .Distinct()
            .ToList();
        Assert.True(named.Count >= 20, string.Join(", ", named));
        var missing = named.Where(p => !File.Exists(Path.Combine(package, p)) && !Directory.Exists(Path.Combine(package, p))).ToList();
        Assert.True(missing.Count == 0, "the checklist names what the package lacks: " + string.Join(", ", missing));
    }

    /// <summary>The packaged Compose file's bind mounts, build context, Dockerfile and the release target's COPY sources are all inside the package.</summary>
    private static void AssertComposeResolvesInside(string package)
    {
        var folder = Path.Combine(package, "config", "production", "compose");
        var compose = Yaml.Load(Path.Combine(folder, "docker-compose.yml"))["services"]!.AsObject();
        var mounts = compose.SelectMany(s => s.Value!["volumes"]?.AsArray() ?? []).Select(v => v!.GetValue<string>().Split(':')[0]).Where(s => s.StartsWith('.')).ToList();
        Assert.True(mounts.Count >= 7, string.Join(", ", mounts));
        foreach (var source in mounts)
        {
            var full = Path.GetFullPath(Path.Combine(folder, source));
            Assert.StartsWith(package + "/", full, StringComparison.Ordinal);
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{source} is mounted but not in the package");
        }

        var build = compose["spacetime"]!["build"]!;
        var context = Path.GetFullPath(Path.Combine(folder, build["context"]!.GetValue<string>()));
        Assert.Equal(package, context);
        Assert.Equal("release", build["target"]!.GetValue<string>());
        var dockerfile = File.ReadAllLines(Path.Combine(context, build["dockerfile"]!.GetValue<string>()));
        var release = dockerfile.SkipWhile(l => l != "FROM runtime AS release").Skip(1).TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal));
        var copied = release.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(l => l.Split(' ')[1..^1]).ToList();
        Assert.Contains("binaries/", copied);
        Assert.All(copied, source => Assert.True(Path.Exists(Path.Combine(context, source)), $"the release target copies {source}, which the package lacks"));
        Assert.True(File.Exists(Path.Combine(context, "binaries", "spacetime.dll")));
    }

    [GeneratedRegex(@"^\s*- \[ \] ", RegexOptions.Multiline)]
    private static partial Regex ChecklistItem();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^(?<name>[A-Z_]+=)REPLACE_WITH_[A-Z0-9_]+", RegexOptions.Multiline)]
    private static partial Regex Placeholder();
}

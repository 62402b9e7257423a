using System.CommandLine;
using SpaceTime.Cli.Reports;
using SpaceTime.Operations.HealthChecks;
using SpaceTime.Security;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime health-check</c>: checks an installation and its running servers; exit 0 only when nothing failed.</summary>
internal static class HealthCheckCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "The game API. Default http://127.0.0.1:8080." };
        var managerUrl = new Option<string?>("--manager-url") { Description = "The manager. Default http://127.0.0.1:8090." };
        var telemetryUrl = new Option<string?>("--telemetry-url") { Description = "The telemetry WebSocket. Default ws://127.0.0.1:8081/telemetry." };
        var token = new Option<string?>("--token") { Description = "Bearer token for /status, /metrics and telemetry. Env: SPACETIME_TOKEN, then API_TOKEN." };
        var skipHttp = new Option<bool>("--skip-http") { Description = "Only check the local installation (config, project, data dir, disk, secrets)." };
        var verbose = new Option<bool>("--verbose") { Description = "Print each check's details." };
        var jsonReport = new Option<string?>("--json-report") { Description = "Also write the report as JSON to this file." };
        var format = ReportFormatOption.Create(ReportFormat.Text, ReportFormat.JUnit);
        var output = new Option<string?>("--output") { Description = "With --format junit: write the JUnit XML here (default: standard output, with the text on standard error)." };
        var noColor = new Option<bool>("--no-color") { Description = "No ANSI colours (also when NO_COLOR is set or the output is not a terminal)." };
        var configDir = new Option<string?>("--config-dir") { Description = "Config folder. Default: beside the executable. Env: SPACETIME_CONFIG_DIR." };
        var environment = new Option<string?>("--environment") { Description = "production, staging, development or test. Env: GODOT_ENV." };
        var project = new Option<string?>("--project") { Description = "The Godot project to check. Default: the bundled demo. Env: GODOT_PROJECT_PATH." };
        var dataDir = new Option<string?>("--data-dir") { Description = "The data dir to check. Env: SPACETIME_DATA_DIR." };
        var timeout = new Option<string?>("--timeout") { Description = "Time limit of each network check (e.g. 5s). Default 5 s." };
        var command = new Command("health-check", "Check the installation (configuration, whitelist, scenes, data dir, disk, secrets) and the running game, telemetry and manager; exit 1 if any check fails.")
        {
            url, managerUrl, telemetryUrl, token, skipHttp, verbose, jsonReport, format, output, noColor, configDir, environment, project, dataDir, timeout,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var options = new HealthCheckOptions
            {
                ConfigDir = CliEnvironment.ConfigDir(parse.GetValue(configDir)),
                Environment = CliEnvironment.EnvironmentName(parse.GetValue(environment)),
                ProjectPath = CliEnvironment.ProjectPath(parse.GetValue(project)),
                DataDir = CliEnvironment.DataDir(parse.GetValue(dataDir)),
                Token = parse.GetValue(token) ?? CliEnvironment.Get("SPACETIME_TOKEN") ?? CliEnvironment.Setting("authentication.api_token"),
                SkipHttp = parse.GetValue(skipHttp),
            };
            options.ApiUrl = Url(parse, url, "http", "https") ?? options.ApiUrl;
            options.ManagerUrl = Url(parse, managerUrl, "http", "https") ?? options.ManagerUrl;
            options.TelemetryUrl = Url(parse, telemetryUrl, "ws", "wss") ?? options.TelemetryUrl;
            if (parse.GetValue(timeout) is { } text)
            {
                options.Timeout = TokenTtl.TryParse(text, out var t) && t > TimeSpan.Zero ? t : throw new ArgumentException($"--timeout '{text}' must look like 5s or 1m", "timeout");
            }

            var jsonFile = parse.GetValue(jsonReport);
            var junit = parse.GetValue(format) == ReportFormat.JUnit;
            var junitFile = parse.GetValue(output);
            if (junitFile is not null && !junit)
            {
                throw new ArgumentException("--output needs --format junit (use --json-report for JSON)", "output");
            }

            // The XML owns standard output when it goes there; the lines a person reads move to standard error.
            var console = junit && junitFile is null ? Console.Error : Console.Out;
            var color = !parse.GetValue(noColor) && CliEnvironment.Get("NO_COLOR") is null && !Console.IsOutputRedirected && !(junit && junitFile is null);
            var showDetails = parse.GetValue(verbose);
            console.WriteLine("SpaceTime health check");
            var runner = new HealthCheckRunner(options);
            runner.Checked += result => Print(console, result, color, showDetails);
            var report = await runner.RunAsync(cancellationToken);
            console.WriteLine(
                $"Summary: {report.TotalChecks} checks: {report.Passed} passed, {report.Failed} failed, {report.Warnings} warnings, {report.Skipped} skipped in {report.DurationSeconds:0.00} s");
            if (jsonFile is not null)
            {
                await File.WriteAllTextAsync(jsonFile, report.ToJson() + "\n", cancellationToken);
                console.WriteLine($"Report written to {jsonFile}");
            }

            if (junit)
            {
                var xml = JUnit(report);
                if (junitFile is null)
                {
                    Console.Out.Write(xml);
                }
                else
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(junitFile))!);
                    await File.WriteAllTextAsync(junitFile, xml, cancellationToken);
                    console.WriteLine($"JUnit report written to {junitFile}");
                }
            }

            return report.Healthy ? 0 : CliErrors.Failure;
        }));
        return command;
    }

    /// <summary>An absolute URL with one of the schemes, ending in '/' so relative paths resolve below it.</summary>
    private static Uri? Url(ParseResult parse, Option<string?> option, params string[] schemes)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
        {
            throw new ArgumentException($"{option.Name} '{text}' must be an absolute {string.Join(" or ", schemes)} URL", option.Name);
        }

        return uri.Scheme.StartsWith("ws", StringComparison.Ordinal) || uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>One test case per check: a failed check is a failure, a skipped one skipped, a warning passes with its message kept.</summary>
    private static string JUnit(HealthCheckReport report)
    {
        var cases = report.Checks.Select(check =>
        {
            var details = string.Join('\n', check.Details.Select(d => $"{d.Key}: {DetailText(d.Value)}"));
            var text = $"[{check.Status.ToString().ToUpperInvariant()}] {check.Name}: {check.Message}" + (details.Length > 0 ? "\n" + details : "");
            return check.Status switch
            {
                CheckStatus.Fail => new JUnitCase("spacetime.health-check", check.Name) { FailureMessage = check.Message, FailureType = "fail", FailureText = text },
                CheckStatus.Skip => new JUnitCase("spacetime.health-check", check.Name) { SkippedMessage = check.Message },
                _ => new JUnitCase("spacetime.health-check", check.Name) { SystemOut = text },
            };
        }).ToList();
        return JUnitReport.Write("spacetime health-check", cases, report.DurationSeconds, report.Timestamp);
    }

    private static string? DetailText(object? value) =>
        value is System.Collections.IEnumerable and not string ? System.Text.Json.JsonSerializer.Serialize(value) : value?.ToString();

    private static void Print(TextWriter console, HealthCheckResult result, bool color, bool verbose)
    {
        var (label, ansi) = result.Status switch
        {
            CheckStatus.Pass => ("PASS", "\e[32m"),
            CheckStatus.Warn => ("WARN", "\e[33m"),
            CheckStatus.Fail => ("FAIL", "\e[31m"),
            _ => ("SKIP", "\e[90m"),
        };
        console.WriteLine(color ? $"{ansi}[{label}]\e[0m {result.Name}: {result.Message}" : $"[{label}] {result.Name}: {result.Message}");
        if (verbose)
        {
            foreach (var (key, value) in result.Details)
            {
                console.WriteLine($"       {key}: {DetailText(value)}");
            }
        }
    }
}

using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using SpaceTime.Cli.Reports;
using SpaceTime.Operations.Scenarios;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime scenario run FILE.json</c>: a scripted session against a running game, pass/fail per step.</summary>
internal static class ScenarioCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The scenario (JSON), e.g. scenarios/vr_checklist.json." };
        var url = new Option<string>("--url") { Description = "The game API (default http://127.0.0.1:8080; a manager's http://host:port/godot works too).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var token = new Option<string?>("--token") { Description = "Bearer token (developer role or above). Env: SPACETIME_TOKEN, then API_TOKEN." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var format = ReportFormatOption.Create(ReportFormat.Text, ReportFormat.JUnit);
        var output = new Option<string?>("--output") { Description = "With --format junit: write the JUnit XML here (the console keeps the text report)." };
        var run = new Command("run", "Run a scenario: load, pause, input, step, expect, measure, snapshot; report every step and exit 0 only if all pass.") { file, url, token, json, format, output };
        run.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!Uri.TryCreate(parse.GetValue(url)!.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync($"error: --url must be an http(s) URL, not '{parse.GetValue(url)}'");
                return 2;
            }

            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
            var bearer = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("SPACETIME_TOKEN") ?? Environment.GetEnvironmentVariable("API_TOKEN");
            if (!string.IsNullOrEmpty(bearer))
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            ScenarioReport report;
            try
            {
                report = await new ScenarioRunner(http).RunAsync(ScenarioRunner.Load(path), cancellationToken);
            }
            catch (Exception e) when (e is ScenarioFormatException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            if (parse.GetValue(format) == ReportFormat.JUnit)
            {
                if (parse.GetValue(output) is not { } junitFile)
                {
                    // The XML owns standard output.
                    Console.Write(JUnit(path, report));
                    return report.Passed ? 0 : CliErrors.Failure;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(junitFile))!);
                await File.WriteAllTextAsync(junitFile, JUnit(path, report), cancellationToken);
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            }
            else
            {
                foreach (var step in report.Steps)
                {
                    Console.WriteLine($"{(step.Passed ? "PASS" : "FAIL")} {step.Index,2}. {step.Name}: {step.Message}");
                }

                Console.WriteLine($"{report.Name}: {report.StepsPassed} passed, {report.StepsFailed} failed in {report.DurationSeconds:0.0} s");
            }

            return report.Passed ? 0 : CliErrors.Failure;
        });
        return new Command("scenario", "Scripted sessions against a running game.") { run };
    }

    /// <summary>One test case per step, named by the scenario file; a failed step is a failure with its message.</summary>
    private static string JUnit(string file, ScenarioReport report) => JUnitReport.Write(
        $"spacetime scenario run {report.Name}",
        [.. report.Steps.Select(step => new JUnitCase($"spacetime.scenario.{Path.GetFileNameWithoutExtension(file)}", $"{step.Index:D2}. {step.Name}")
        {
            File = file,
            Seconds = step.DurationMs / 1000,
            FailureMessage = step.Passed ? null : step.Message,
            FailureType = "fail",
            FailureText = step.Passed ? null : $"{step.Action}: {step.Message}",
            SystemOut = step.Passed ? step.Message : null,
        })],
        report.DurationSeconds);
}

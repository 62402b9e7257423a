using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SpaceTime.Cli.Reports;
using SpaceTime.Engine.Validation;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime scenes validate PATH...</c>: the CI step that checks every scene and project parses and builds.</summary>
internal static class ScenesCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Scene (.tscn), resource (.tres) or project.godot files, or folders to search.", Arity = ArgumentArity.OneOrMore };
        var format = ReportFormatOption.Create(ReportFormat.Text, ReportFormat.Json, ReportFormat.GitHub, ReportFormat.JUnit);
        var json = new Option<bool>("--json") { Description = "Same as --format json." };
        var output = new Option<string?>("--output") { Description = "Write the report in --format to this file; the console gets the text report." };
        var warningsAsErrors = new Option<bool>("--warnings-as-errors") { Description = "Fail on warnings too." };
        var validate = new Command(
            "validate",
            "Parse scenes, resources and projects and build each scene's node tree; report problems as file:line:column (or GitHub annotations, or JUnit XML) and exit 1 if any is an error.")
        {
            paths, format, json, output, warningsAsErrors,
        };
        validate.SetAction(parse => CliErrors.RunAsync(async () =>
        {
            var clock = Stopwatch.StartNew();
            var report = SceneValidator.Validate(parse.GetValue(paths)!);
            var strict = parse.GetValue(warningsAsErrors);
            var failed = report.Errors > 0 || (strict && report.Warnings > 0);
            var chosen = parse.GetValue(json) ? ReportFormat.Json : parse.GetValue(format);
            var elapsed = clock.Elapsed;
            if (parse.GetValue(output) is { } file)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(file, Render(chosen, report, elapsed, strict));
                PrintText(report, elapsed);
                Console.WriteLine($"{ReportFormatOption.Name(chosen)} report written to {file}");
            }
            else if (chosen == ReportFormat.Text)
            {
                PrintText(report, elapsed);
            }
            else
            {
                Console.Write(Render(chosen, report, elapsed, strict));
            }

            return failed ? CliErrors.Failure : 0;
        }));
        return new Command("scenes", "Work with Godot scenes.") { validate };
    }

    private static void PrintText(ValidationReport report, TimeSpan elapsed)
    {
        foreach (var problem in report.Problems)
        {
            (problem.Severity == ProblemSeverity.Error ? Console.Error : Console.Out).WriteLine(problem);
        }

        Console.WriteLine(Summary(report, elapsed));
    }

    private static string Summary(ValidationReport report, TimeSpan elapsed) =>
        $"{report.FilesChecked} files checked ({report.Scenes} scenes, {report.Resources} resources, {report.Projects} projects) in {elapsed.TotalSeconds:0.00} s: " +
        $"{report.Errors} errors, {report.Warnings} warnings";

    private static string Render(ReportFormat format, ValidationReport report, TimeSpan elapsed, bool warningsAsErrors) => format switch
    {
        ReportFormat.Json => Json(report, elapsed) + "\n",
        ReportFormat.GitHub => GitHub(report, elapsed),
        ReportFormat.JUnit => JUnit(report, elapsed, warningsAsErrors),
        _ => string.Join('\n', report.Problems.Select(p => p.ToString()).Append(Summary(report, elapsed))) + "\n",
    };

    private static string Json(ValidationReport report, TimeSpan elapsed) => JsonSerializer.Serialize(
        new
        {
            files_checked = report.FilesChecked,
            projects = report.Projects,
            scenes = report.Scenes,
            resources = report.Resources,
            errors = report.Errors,
            warnings = report.Warnings,
            duration_seconds = Math.Round(elapsed.TotalSeconds, 3),
            problems = report.Problems.Select(p => new
            {
                file = p.File,
                line = p.Line,
                column = p.Column,
                severity = Severity(p),
                message = p.Message,
            }),
        },
        new JsonSerializerOptions { WriteIndented = true });

    /// <summary>One workflow command per problem, then the summary as a plain line (GitHub shows it in the log).</summary>
    private static string GitHub(ValidationReport report, TimeSpan elapsed)
    {
        var lines = report.Problems.Select(p => GitHubAnnotations.Command(Severity(p), DisplayPath(p.File), p.Line, p.Column, "spacetime scenes validate", p.Message));
        return string.Join('\n', lines.Append(Summary(report, elapsed))) + "\n";
    }

    /// <summary>One test case per file checked (passed when it has no problem) and one failing case per problem.</summary>
    private static string JUnit(ValidationReport report, TimeSpan elapsed, bool warningsAsErrors)
    {
        var withProblems = report.Problems.Select(p => Path.GetFullPath(p.File)).ToHashSet(StringComparer.Ordinal);
        var cases = new List<JUnitCase>();
        cases.AddRange(report.Files.Where(f => !withProblems.Contains(f)).Select(f => new JUnitCase("spacetime.scenes", DisplayPath(f)) { File = DisplayPath(f) }));
        foreach (var problem in report.Problems)
        {
            var file = DisplayPath(problem.File);
            var where = problem.Line is { } line ? problem.Column is { } column ? $"{file}:{line}:{column}" : $"{file}:{line}" : file;
            var text = $"{where}: {Severity(problem)}: {problem.Message}";
            cases.Add(problem.Severity == ProblemSeverity.Error || warningsAsErrors
                ? new JUnitCase("spacetime.scenes", where) { File = file, Line = problem.Line, FailureMessage = $"{where}: {problem.Message}", FailureType = Severity(problem), FailureText = text }
                : new JUnitCase("spacetime.scenes", where) { File = file, Line = problem.Line, SystemOut = text });
        }

        return JUnitReport.Write("spacetime scenes validate", cases, elapsed.TotalSeconds);
    }

    private static string Severity(ValidationProblem problem) => problem.Severity == ProblemSeverity.Error ? "error" : "warning";

    /// <summary>Paths below the current folder (the repository root in CI) relative to it, as GitHub annotations and CI reports expect.</summary>
    private static string DisplayPath(string file)
    {
        var full = Path.GetFullPath(file);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}

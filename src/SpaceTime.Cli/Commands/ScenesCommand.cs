using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SpaceTime.Engine.Validation;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime scenes validate PATH...</c>: the CI step that checks every scene and project parses and builds.</summary>
internal static class ScenesCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Scene (.tscn), resource (.tres) or project.godot files, or folders to search.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print a JSON report instead of text." };
        var warningsAsErrors = new Option<bool>("--warnings-as-errors") { Description = "Fail on warnings too." };
        var validate = new Command("validate", "Parse scenes, resources and projects and build each scene's node tree; report problems as file:line:column and exit 1 if any is an error.")
        {
            paths, json, warningsAsErrors,
        };
        validate.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var report = SceneValidator.Validate(parse.GetValue(paths)!);
            var failed = report.Errors > 0 || (parse.GetValue(warningsAsErrors) && report.Warnings > 0);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        files_checked = report.FilesChecked,
                        projects = report.Projects,
                        scenes = report.Scenes,
                        resources = report.Resources,
                        errors = report.Errors,
                        warnings = report.Warnings,
                        duration_seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                        problems = report.Problems.Select(p => new
                        {
                            file = p.File,
                            line = p.Line,
                            column = p.Column,
                            severity = p.Severity == ProblemSeverity.Error ? "error" : "warning",
                            message = p.Message,
                        }),
                    },
                    new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                foreach (var problem in report.Problems)
                {
                    (problem.Severity == ProblemSeverity.Error ? Console.Error : Console.Out).WriteLine(problem);
                }

                Console.WriteLine(
                    $"{report.FilesChecked} files checked ({report.Scenes} scenes, {report.Resources} resources, {report.Projects} projects) in {clock.Elapsed.TotalSeconds:0.00} s: " +
                    $"{report.Errors} errors, {report.Warnings} warnings");
            }

            return failed ? CliErrors.Failure : 0;
        });
        return new Command("scenes", "Work with Godot scenes.") { validate };
    }
}

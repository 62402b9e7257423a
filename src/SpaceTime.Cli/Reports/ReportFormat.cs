using System.CommandLine;

namespace SpaceTime.Cli.Reports;

/// <summary>How a command prints its findings: for people, for programs, or in the formats CI systems display.</summary>
internal enum ReportFormat
{
    /// <summary>Lines a person reads (compiler style for scenes).</summary>
    Text,

    /// <summary>One JSON document.</summary>
    Json,

    /// <summary>GitHub Actions workflow commands (<c>::error file=…,line=…::message</c>), shown as annotations on the diff.</summary>
    GitHub,

    /// <summary>JUnit XML, shown as test results by GitLab, GitHub (through report actions), Jenkins and others.</summary>
    JUnit,
}

internal static class ReportFormatOption
{
    /// <summary><c>--format text|json|github|junit</c>, limited to <paramref name="allowed"/>.</summary>
    public static Option<ReportFormat> Create(params ReportFormat[] allowed)
    {
        var names = allowed.Select(Name).ToArray();
        var option = new Option<ReportFormat>("--format")
        {
            Description = $"Output format: {string.Join(", ", names)}.",
            DefaultValueFactory = _ => ReportFormat.Text,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? "text" : result.Tokens[0].Value;
                var match = allowed.Where(f => Name(f) == text.ToLowerInvariant()).ToList();
                if (match.Count == 0)
                {
                    result.AddError($"--format '{text}' is not one of {string.Join(", ", names)}");
                    return ReportFormat.Text;
                }

                return match[0];
            },
        };
        option.CompletionSources.Add(names);
        return option;
    }

    public static string Name(ReportFormat format) => format.ToString().ToLowerInvariant();
}

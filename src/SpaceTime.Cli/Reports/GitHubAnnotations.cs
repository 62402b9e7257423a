using System.Text;

namespace SpaceTime.Cli.Reports;

/// <summary>
/// GitHub Actions workflow commands (<c>::error file=F,line=L,col=C::message</c>), which the runner turns into annotations
/// on the changed files. Values are escaped as the runner expects (docs.github.com, "Workflow commands for GitHub Actions").
/// </summary>
internal static class GitHubAnnotations
{
    /// <summary>One command line; <paramref name="level"/> is error, warning or notice.</summary>
    public static string Command(string level, string? file, int? line, int? column, string? title, string message)
    {
        var properties = new List<string>();
        if (file is not null)
        {
            properties.Add($"file={EscapeProperty(file)}");
        }

        if (line is { } l)
        {
            properties.Add($"line={l}");
        }

        if (column is { } c)
        {
            properties.Add($"col={c}");
        }

        if (title is not null)
        {
            properties.Add($"title={EscapeProperty(title)}");
        }

        return properties.Count == 0 ? $"::{level}::{EscapeData(message)}" : $"::{level} {string.Join(',', properties)}::{EscapeData(message)}";
    }

    public static string EscapeData(string value) =>
        new StringBuilder(value).Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A").ToString();

    public static string EscapeProperty(string value) =>
        new StringBuilder(EscapeData(value)).Replace(":", "%3A").Replace(",", "%2C").ToString();
}

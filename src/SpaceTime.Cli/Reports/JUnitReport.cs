using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace SpaceTime.Cli.Reports;

/// <summary>One JUnit test case: passed when it has neither failure nor skip reason.</summary>
internal sealed record JUnitCase(string ClassName, string Name)
{
    public string? File { get; init; }

    public int? Line { get; init; }

    public double? Seconds { get; init; }

    /// <summary>The failure's one-line message; the case failed when set.</summary>
    public string? FailureMessage { get; init; }

    /// <summary>The failure's type attribute (error, warning, fail).</summary>
    public string FailureType { get; init; } = "error";

    /// <summary>The failure's body: the full text a person reads.</summary>
    public string? FailureText { get; init; }

    public string? SkippedMessage { get; init; }

    /// <summary>Output kept with the case (details of a passed check).</summary>
    public string? SystemOut { get; init; }
}

/// <summary>
/// A JUnit XML report (the de facto schema GitLab's <c>artifacts:reports:junit</c> and GitHub's test-report actions read):
/// <c>&lt;testsuites&gt;&lt;testsuite&gt;&lt;testcase classname name file line&gt;&lt;failure message type&gt;</c>.
/// </summary>
internal static class JUnitReport
{
    public static string Write(string suiteName, IReadOnlyList<JUnitCase> cases, double seconds, DateTimeOffset? timestamp = null)
    {
        var failures = cases.Count(c => c.FailureMessage is not null);
        var skipped = cases.Count(c => c.FailureMessage is null && c.SkippedMessage is not null);
        // The suite and the document root carry the same totals.
        XAttribute[] Totals() =>
        [
            new("name", suiteName), new("tests", cases.Count), new("failures", failures), new("errors", 0), new("skipped", skipped), new("time", Seconds(seconds)),
        ];
        var suite = new XElement(
            "testsuite",
            Totals(),
            timestamp is { } t ? new XAttribute("timestamp", t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)) : null,
            cases.Select(Case));
        var root = new XElement("testsuites", Totals(), suite);

        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8, OmitXmlDeclaration = true }))
        {
            new XDocument(root).Save(writer);
        }

        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + builder.ToString().ReplaceLineEndings("\n") + "\n";
    }

    private static XElement Case(JUnitCase c) => new(
        "testcase",
        new XAttribute("classname", c.ClassName),
        new XAttribute("name", c.Name),
        c.File is { } file ? new XAttribute("file", file) : null,
        c.Line is { } line ? new XAttribute("line", line) : null,
        c.Seconds is { } s ? new XAttribute("time", Seconds(s)) : null,
        c.FailureMessage is { } message ? new XElement("failure", new XAttribute("message", Clean(message)), new XAttribute("type", c.FailureType), Clean(c.FailureText ?? message)) : null,
        c.FailureMessage is null && c.SkippedMessage is { } skip ? new XElement("skipped", new XAttribute("message", Clean(skip))) : null,
        c.SystemOut is { } output ? new XElement("system-out", Clean(output)) : null);

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot hold most control characters, and a scene's message may quote one.</summary>
    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                builder.Append(text[i]);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                builder.Append(text, i, 2);
                i++;
            }
            else
            {
                builder.Append('\uFFFD');
            }
        }

        return builder.ToString();
    }
}

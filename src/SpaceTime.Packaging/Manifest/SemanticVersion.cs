using System.Text.RegularExpressions;

namespace SpaceTime.Packaging.Manifest;

/// <summary>A Semantic Versioning 2.0.0 version: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], compared as text.</summary>
public sealed partial record SemanticVersion
{
    private SemanticVersion(string text) => Text = text;

    public string Text { get; }

    public override string ToString() => Text;

    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = null!;
        if (text is null || Why(text) is not null)
        {
            return false;
        }

        version = new SemanticVersion(text);
        return true;
    }

    /// <exception cref="PackagingException">The text is not a semantic version; the message says why.</exception>
    public static SemanticVersion Parse(string text) =>
        Why(text) is { } reason
            ? throw new PackagingException($"version '{text}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.3): {reason}")
            : new SemanticVersion(text);

    /// <summary>Why the text is not a semantic version, or null when it is one.</summary>
    private static string? Why(string text)
    {
        if (Pattern().IsMatch(text))
        {
            return null;
        }

        var core = text.Split('-', '+')[0];
        var parts = core.Split('.');
        return text switch
        {
            "" => "it is empty",
            _ when text[0] is 'v' or 'V' => "drop the leading 'v'",
            _ when text.Any(char.IsWhiteSpace) => "it contains white space",
            _ when parts.Length != 3 => $"it needs exactly three numbers, found {parts.Length} part(s)",
            _ when parts.Any(p => p.Length > 1 && p[0] == '0' && p.All(char.IsAsciiDigit)) => "numbers must not have leading zeros",
            _ when parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)) => "MAJOR, MINOR and PATCH must be numbers",
            _ => "the pre-release or build part is malformed (dot-separated [0-9A-Za-z-] identifiers, numeric ones without leading zeros)",
        };
    }

    // semver.org's recommended expression with ASCII digits only (.NET's \d matches any Unicode digit) and \z (its $ allows a trailing newline).
    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

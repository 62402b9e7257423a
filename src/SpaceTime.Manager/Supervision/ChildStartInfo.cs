namespace SpaceTime.Manager.Supervision;

/// <summary>What to run: an executable, its arguments, and changes to the inherited environment (a null value removes a variable).</summary>
public sealed record ChildStartInfo(string FileName, IReadOnlyList<string> Arguments)
{
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    public string? WorkingDirectory { get; init; }

    /// <summary>The command line for logs: executable and arguments, never the environment (it carries the API token).</summary>
    public override string ToString() => string.Join(' ', Arguments.Prepend(FileName).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
}

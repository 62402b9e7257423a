using System.Text;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Manifest;

/// <summary>One line of SHA256SUMS.</summary>
public sealed record ChecksumEntry(string Path, string Sha256);

/// <summary>SHA256SUMS in the format <c>sha256sum -c</c> reads: "HASH  PATH" (two spaces, text mode), one line per file, sorted by path.</summary>
public static class ChecksumList
{
    public static byte[] Write(IEnumerable<ChecksumEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            // sha256sum escapes names holding '\' or a newline; package paths never do (PackagePath rejects them).
            text.Append(entry.Sha256).Append("  ").Append(entry.Path).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The well-formed lines; each malformed or duplicate line is added to <paramref name="problems"/>.</summary>
    public static IReadOnlyList<ChecksumEntry> Parse(string text, ICollection<string> problems)
    {
        var entries = new List<ChecksumEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            problems.Add("the last line does not end with a newline");
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 && i == lines.Length - 1)
            {
                break;
            }

            if (line.Length < 67 || line[64] != ' ' || line[65] != ' ' || !FileDigest.IsSha256Hex(line[..64]) || PackagePath.Problem(line[66..]) is not null)
            {
                problems.Add($"line {i + 1} is not \"<64 lower-case hex>  <relative path>\"");
                continue;
            }

            var entry = new ChecksumEntry(line[66..], line[..64]);
            if (!seen.Add(entry.Path))
            {
                problems.Add($"line {i + 1} lists {entry.Path} a second time");
                continue;
            }

            entries.Add(entry);
        }

        return entries;
    }
}

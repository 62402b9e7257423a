namespace SpaceTime.Runtime.Whitelist;

/// <summary>
/// Path globs over '/'-separated paths: <c>*</c> matches within one segment (any characters but '/'),
/// <c>**</c> as a whole segment matches any number of segments, including none.
/// </summary>
public static class WildcardPattern
{
    public static bool Matches(string pattern, string path) =>
        MatchSegments(pattern.Split('/'), 0, path.Split('/'), 0);

    private static bool MatchSegments(string[] pattern, int pi, string[] path, int si)
    {
        while (pi < pattern.Length)
        {
            if (pattern[pi] == "**")
            {
                // Collapse runs of ** and try every split point.
                while (pi < pattern.Length && pattern[pi] == "**")
                {
                    pi++;
                }

                if (pi == pattern.Length)
                {
                    return true;
                }

                for (var k = si; k <= path.Length; k++)
                {
                    if (MatchSegments(pattern, pi, path, k))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (si >= path.Length || !MatchSegment(pattern[pi], path[si]))
            {
                return false;
            }

            pi++;
            si++;
        }

        return si == path.Length;
    }

    /// <summary>Matches one segment, where '*' stands for any run of characters.</summary>
    private static bool MatchSegment(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}

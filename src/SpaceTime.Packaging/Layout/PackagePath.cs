namespace SpaceTime.Packaging.Layout;

/// <summary>Paths inside a package: relative, '/'-separated, no '.' or '..' segments, nothing a checksum file cannot hold.</summary>
public static class PackagePath
{
    /// <summary>Why the path cannot name a file inside a package, or null when it can.</summary>
    public static string? Problem(string path) => path switch
    {
        "" => "the path is empty",
        _ when path[0] == '/' || (path.Length > 1 && path[1] == ':') => "the path is absolute",
        _ when path.Contains('\\') => "the path contains a backslash",
        _ when path.Any(char.IsControl) => "the path contains a control character",
        _ when path.Split('/').Any(s => s is "" or "." or "..") => "the path has an empty, '.' or '..' segment",
        _ => null,
    };

    public static string FromRelative(string relative) => relative.Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The full path of a package path under a root folder, checked to stay inside it.</summary>
    public static string Combine(string root, string path)
    {
        if (Problem(path) is { } why)
        {
            throw new PackagingException($"'{path}' is not a valid package path: {why}");
        }

        return Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar));
    }
}

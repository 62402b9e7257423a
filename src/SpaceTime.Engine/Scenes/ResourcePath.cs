namespace SpaceTime.Engine.Scenes;

/// <summary>
/// Validation and canonicalisation of <c>res://</c> paths, and their mapping onto the project folder.
/// A canonical path has the <c>res://</c> prefix, forward slashes, no empty or "." segments and no "..".
/// </summary>
public static class ResourcePath
{
    public const string Prefix = "res://";

    public const int MaxLength = 256;

    /// <summary>Validates a scene path as the API accepts it and returns its canonical form.</summary>
    public static bool TryCanonicalizeScene(string? path, out string canonical, out string error)
    {
        canonical = "";
        if (!TryCanonicalize(path, out var candidate, out error))
        {
            return false;
        }

        if (!candidate.EndsWith(".tscn", StringComparison.Ordinal) || candidate.Length == Prefix.Length + ".tscn".Length)
        {
            error = "scene path must end with '.tscn'";
            return false;
        }

        canonical = candidate;
        return true;
    }

    /// <summary>Validates any resource path (≤ 256 chars, <c>res://</c>, no "..", no control characters) and canonicalises it.</summary>
    public static bool TryCanonicalize(string? path, out string canonical, out string error)
    {
        canonical = "";
        error = "";
        if (string.IsNullOrEmpty(path))
        {
            error = "path is empty";
            return false;
        }

        if (path.Length > MaxLength)
        {
            error = $"path is longer than {MaxLength} characters";
            return false;
        }

        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = "path must start with 'res://'";
            return false;
        }

        if (path.Any(char.IsControl))
        {
            error = "path contains control characters";
            return false;
        }

        var segments = path[Prefix.Length..].Replace('\\', '/').Split('/');
        if (segments.Any(s => s == ".."))
        {
            error = "path must not contain '..'";
            return false;
        }

        canonical = Prefix + string.Join('/', segments.Where(s => s.Length > 0 && s != "."));
        return true;
    }

    /// <summary>Resolves a canonical <c>res://</c> path to a file under <paramref name="projectRoot"/>; never escapes it.</summary>
    public static string ToFileSystemPath(string projectRoot, string canonicalPath)
    {
        if (!TryCanonicalize(canonicalPath, out var canonical, out var error))
        {
            throw new ArgumentException(error, nameof(canonicalPath));
        }

        var root = Path.GetFullPath(projectRoot);
        var full = Path.GetFullPath(Path.Combine(root, canonical[Prefix.Length..]));
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full == root || full.StartsWith(rootWithSeparator, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException("path leaves the project folder", nameof(canonicalPath));
    }

    /// <summary>Maps a file under the project folder back to its <c>res://</c> path.</summary>
    public static string FromFileSystemPath(string projectRoot, string file) =>
        Prefix + Path.GetRelativePath(Path.GetFullPath(projectRoot), Path.GetFullPath(file)).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// Resolves a path written inside a resource file: <c>res://...</c> as is, anything else relative to the
    /// folder of the file that refers to it (Godot 4 writes relative paths for files beside the scene).
    /// </summary>
    public static string ResolveReference(string referencingResPath, string path)
    {
        if (path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return TryCanonicalize(path, out var c, out _) ? c : path;
        }

        var folder = referencingResPath[..(referencingResPath.LastIndexOf('/') + 1)];
        var combined = new List<string>();
        foreach (var segment in (folder[Prefix.Length..] + path).Split('/'))
        {
            if (segment == "..")
            {
                if (combined.Count > 0)
                {
                    combined.RemoveAt(combined.Count - 1);
                }
            }
            else if (segment.Length > 0 && segment != ".")
            {
                combined.Add(segment);
            }
        }

        return Prefix + string.Join('/', combined);
    }
}

namespace SpaceTime.Packaging.Layout;

/// <summary>The repository checkout a package is built from: the folder holding <c>SpaceTime.slnx</c>.</summary>
public static class RepositoryRoot
{
    public const string Marker = "SpaceTime.slnx";

    /// <summary>Walks up from <paramref name="start"/> to the first folder holding <see cref="Marker"/>.</summary>
    public static string Find(string start) =>
        TryFind(start) ?? throw new PackagingException($"no {Marker} in {Path.GetFullPath(start)} or any folder above it: run from the repository checkout or pass --source DIR");

    /// <summary>Walks up from <paramref name="start"/> to the first folder holding <see cref="Marker"/>; null when there is none.</summary>
    public static string? TryFind(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, Marker)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

namespace SpaceTime.Packaging.Layout;

/// <summary>A file or folder of a package folder, with its package path and the mode it is archived with.</summary>
public sealed record PackageEntry(string Path, string FullPath, bool IsDirectory, UnixFileMode Mode);

/// <summary>Lists a package folder in the one order everything uses: ordinal by package path, folders before their contents.</summary>
public static class PackageTree
{
    /// <exception cref="PackagingException">The folder holds a symbolic link or something that is neither file nor folder.</exception>
    public static IReadOnlyList<PackageEntry> Entries(string root)
    {
        var entries = new List<PackageEntry>();
        Walk(new DirectoryInfo(root), "", entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    public static IEnumerable<PackageEntry> Files(string root) => Entries(root).Where(e => !e.IsDirectory);

    private static void Walk(DirectoryInfo folder, string prefix, List<PackageEntry> entries)
    {
        foreach (var item in folder.EnumerateFileSystemInfos())
        {
            var path = prefix + item.Name;
            if (item.LinkTarget is not null)
            {
                throw new PackagingException($"{path} is a symbolic link; a package holds regular files only");
            }

            switch (item)
            {
                case DirectoryInfo directory:
                    entries.Add(new PackageEntry(path, directory.FullName, true, FileModes.Directory));
                    Walk(directory, path + "/", entries);
                    break;
                case FileInfo file when (file.Attributes & FileAttributes.Device) == 0:
                    entries.Add(new PackageEntry(path, file.FullName, false, FileModes.IsExecutable(file.FullName) ? FileModes.Executable : FileModes.Regular));
                    break;
                default:
                    throw new PackagingException($"{path} is not a regular file");
            }
        }
    }
}

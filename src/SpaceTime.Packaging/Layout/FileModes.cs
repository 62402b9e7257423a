namespace SpaceTime.Packaging.Layout;

/// <summary>The two file modes a package uses: 0755 for executables and directories, 0644 for the rest.</summary>
public static class FileModes
{
    public const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
    public const UnixFileMode Regular = (UnixFileMode)0b110_100_100;
    public const UnixFileMode Directory = Executable;

    /// <summary>
    /// The mode a packaged file gets, from its name and first bytes only, so that it does not depend on how a checkout or a
    /// publish left the file's mode: shell scripts, files starting with "#!" and ELF binaries (the app host) are executable.
    /// </summary>
    public static UnixFileMode For(string path, ReadOnlySpan<byte> head) =>
        path.EndsWith(".sh", StringComparison.Ordinal) || head.StartsWith("#!"u8) || head.StartsWith("\u007fELF"u8) ? Executable : Regular;

    public static UnixFileMode ForFile(string path, string file)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(file);
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return For(path, head[..read]);
    }

    public static bool IsExecutable(string file) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;

    public static void Set(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}

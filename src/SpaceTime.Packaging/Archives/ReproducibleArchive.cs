using System.Formats.Tar;
using System.IO.Compression;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Archives;

/// <summary>
/// Writes a package folder as .tar.gz and .zip that depend on the file contents and modes only: entries in ordinal order, every
/// time the given one, owner root (uid/gid 0, no names), modes 0755/0644, gzip header without time or name. The tar is GNU format:
/// .NET cannot split long names into the ustar prefix, and its PAX headers are named after the writing process's id.
/// </summary>
public static class ReproducibleArchive
{
    /// <summary>The earliest time a zip (MS-DOS) timestamp can hold.</summary>
    public static readonly DateTimeOffset ZipEpoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void WriteTarGz(string packageFolder, string archive, DateTimeOffset time)
    {
        var top = Path.GetFileName(Path.TrimEndingDirectorySeparator(packageFolder));
        using var file = new FileStream(archive, FileMode.Create, FileAccess.Write);
        using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        using var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: false);
        var mtime = DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
        foreach (var entry in PackageTree.Entries(packageFolder).Prepend(new PackageEntry("", packageFolder, true, FileModes.Directory)))
        {
            var name = entry.Path.Length == 0 ? $"{top}/" : $"{top}/{entry.Path}{(entry.IsDirectory ? "/" : "")}";
            var header = new GnuTarEntry(entry.IsDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
            {
                Mode = entry.Mode,
                ModificationTime = mtime,
                AccessTime = mtime,
                ChangeTime = mtime,
                Uid = 0,
                Gid = 0,
                UserName = "",
                GroupName = "",
            };
            if (entry.IsDirectory)
            {
                tar.WriteEntry(header);
                continue;
            }

            using var data = File.OpenRead(entry.FullPath);
            header.DataStream = data;
            tar.WriteEntry(header);
        }
    }

    /// <summary>A zip whose entries carry Unix modes (so scripts stay executable) and <paramref name="time"/> as their MS-DOS time.</summary>
    public static void WriteZip(string packageFolder, string archive, DateTimeOffset time)
    {
        var top = Path.GetFileName(Path.TrimEndingDirectorySeparator(packageFolder));
        // MS-DOS times are wall-clock and count from 1980; using UTC keeps the bytes independent of the machine's time zone.
        var stamp = time < ZipEpoch ? ZipEpoch : new DateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()).UtcDateTime, TimeSpan.Zero);
        using var file = new FileStream(archive, FileMode.Create, FileAccess.Write);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var entry in PackageTree.Entries(packageFolder).Prepend(new PackageEntry("", packageFolder, true, FileModes.Directory)))
        {
            var name = entry.Path.Length == 0 ? $"{top}/" : $"{top}/{entry.Path}{(entry.IsDirectory ? "/" : "")}";
            var item = zip.CreateEntry(name, entry.IsDirectory ? CompressionLevel.NoCompression : CompressionLevel.SmallestSize);
            item.LastWriteTime = stamp;
            item.ExternalAttributes = (int)(((entry.IsDirectory ? UnixFileType.Directory : UnixFileType.Regular) | (uint)entry.Mode) << 16);
            if (!entry.IsDirectory)
            {
                using var target = item.Open();
                using var data = File.OpenRead(entry.FullPath);
                data.CopyTo(target);
            }
        }
    }
}

/// <summary>The file-type bits of a Unix st_mode, as zip "external attributes" carry them in their high 16 bits.</summary>
internal static class UnixFileType
{
    public const uint Mask = 0xF000;
    public const uint Regular = 0x8000;
    public const uint Directory = 0x4000;
    public const uint SymbolicLink = 0xA000;
}

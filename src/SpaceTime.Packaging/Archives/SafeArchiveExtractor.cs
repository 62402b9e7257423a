using System.Formats.Tar;
using System.IO.Compression;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Archives;

/// <summary>What extracting a package archive produced: its one top-level folder, and every entry that was refused (messages do not repeat the archive name).</summary>
public sealed record Extraction(string? PackageFolder, IReadOnlyList<string> Problems);

/// <summary>Bounds on what one archive may expand to.</summary>
/// <param name="MaxEntries">Entries (files and folders).</param>
/// <param name="MaxTotalBytes">Bytes of file content, all files together.</param>
public sealed record ExtractionLimits(int MaxEntries, long MaxTotalBytes)
{
    /// <summary>Far above any real package (about 120 files, 10 MiB), so a crafted archive cannot fill the disk.</summary>
    public static ExtractionLimits Default { get; } = new(100_000, 4L * 1024 * 1024 * 1024);
}

/// <summary>
/// Extracts a .tar.gz or .zip package without trusting it: entries with absolute paths, '..' segments, links, devices, or
/// outside the single top-level folder are refused (and named), never written.
/// </summary>
public static class SafeArchiveExtractor
{
    public static bool IsArchive(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    public static Extraction Extract(string archive, string destination) => Extract(archive, destination, ExtractionLimits.Default);

    public static Extraction Extract(string archive, string destination, ExtractionLimits limits)
    {
        var target = new Target(Path.GetFullPath(destination), limits);
        try
        {
            if (archive.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                ExtractZip(archive, target);
            }
            else
            {
                ExtractTarGz(archive, target);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            target.Problems.Add($"damaged archive ({e.Message})");
        }

        if (target.Top is null)
        {
            target.Problems.Add("holds no package folder");
        }

        return new Extraction(target.Top is null ? null : Path.Combine(target.Root, target.Top), target.Problems);
    }

    private static void ExtractTarGz(string archive, Target target)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (!target.OverLimit && tar.GetNextEntry() is { } entry)
        {
            var kind = entry.EntryType switch
            {
                TarEntryType.Directory => Kind.Directory,
                TarEntryType.RegularFile or TarEntryType.V7RegularFile => Kind.File,
                TarEntryType.SymbolicLink or TarEntryType.HardLink => Kind.Link,
                _ => Kind.Other,
            };
            target.Add(entry.Name, kind, (entry.Mode & UnixFileMode.UserExecute) != 0, entry.DataStream);
        }
    }

    private static void ExtractZip(string archive, Target target)
    {
        using var zip = ZipFile.OpenRead(archive);
        foreach (var entry in zip.Entries.TakeWhile(_ => !target.OverLimit))
        {
            var unixMode = (uint)entry.ExternalAttributes >> 16;
            var kind = (unixMode & UnixFileType.Mask) switch
            {
                UnixFileType.SymbolicLink => Kind.Link,
                _ when entry.FullName.EndsWith('/') => Kind.Directory,
                UnixFileType.Regular or 0 => Kind.File,
                _ => Kind.Other,
            };
            using var data = kind == Kind.File ? entry.Open() : null;
            target.Add(entry.FullName, kind, (unixMode & (uint)UnixFileMode.UserExecute) != 0, data);
        }
    }

    private enum Kind
    {
        File,
        Directory,
        Link,
        Other,
    }

    private sealed class Target(string root, ExtractionLimits limits)
    {
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);
        private long _totalBytes;
        public bool OverLimit { get; private set; }

        public string Root { get; } = root;

        public string? Top { get; private set; }

        public List<string> Problems { get; } = [];

        private bool CopyWithinLimit(Stream data, Stream output)
        {
            var buffer = new byte[81920];
            int read;
            while ((read = data.Read(buffer)) > 0)
            {
                _totalBytes += read;
                if (_totalBytes > limits.MaxTotalBytes)
                {
                    return false;
                }

                output.Write(buffer, 0, read);
            }

            return true;
        }

        public void Add(string name, Kind kind, bool executable, Stream? data)
        {
            var path = name.TrimEnd('/');
            if (PackagePath.Problem(path) is { } why)
            {
                Problems.Add($"archive entry '{name}' refused: {why}");
                return;
            }

            if (kind is Kind.Link or Kind.Other)
            {
                Problems.Add($"archive entry '{name}' refused: {(kind == Kind.Link ? "links" : "special files")} are not allowed in a package");
                return;
            }

            var top = path.Split('/')[0];
            if (kind == Kind.Directory || path.Contains('/'))
            {
                Top ??= top;
            }

            if (top != Top || (kind == Kind.File && !path.Contains('/')))
            {
                Problems.Add($"archive entry '{name}' refused: it is outside the package's one top-level folder{(Top is null ? "" : $" {Top}/")}");
                return;
            }

            var full = Path.GetFullPath(Path.Combine(Root, path));
            if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                Problems.Add($"archive entry '{name}' refused: it resolves outside the extraction folder");
                return;
            }

            if (OverLimit)
            {
                return;
            }

            if (_written.Count >= limits.MaxEntries)
            {
                OverLimit = true;
                Problems.Add($"the archive has more than {limits.MaxEntries} entries; no release package is that large");
                return;
            }

            if (!_written.Add(path))
            {
                Problems.Add($"archive entry '{name}' appears more than once");
                return;
            }

            try
            {
                if (kind == Kind.Directory)
                {
                    Directory.CreateDirectory(full);
                    return;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                using (var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write))
                {
                    if (data is not null && !CopyWithinLimit(data, output))
                    {
                        OverLimit = true;
                        Problems.Add($"the archive expands to more than {limits.MaxTotalBytes} bytes (at '{name}'); no release package is that large");
                        return;
                    }
                }

                FileModes.Set(full, executable ? FileModes.Executable : FileModes.Regular);
            }
            catch (IOException e)
            {
                Problems.Add($"archive entry '{name}' cannot be extracted: {e.Message}");
            }
        }
    }
}

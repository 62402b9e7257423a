using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using SpaceTime.Packaging.Archives;

namespace SpaceTime.Packaging.Tests.Archives;

public sealed class SafeArchiveExtractorTests
{
    private static void Tar(string path, params TarEntry[] entries)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in entries)
        {
            tar.WriteEntry(entry);
        }
    }

    private static PaxTarEntry Entry(string name, string contents = "x") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(contents)) };

    [Fact]
    public void Extract_HostileTarGz_RefusesAndNamesEveryBadEntry_WritesNothingOutside()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("evil.tar.gz");
        Tar(
            archive,
            Entry("pkg/ok.txt"),
            Entry("pkg/../evil.txt"),
            Entry("/tmp/absolute.txt"),
            new PaxTarEntry(TarEntryType.SymbolicLink, "pkg/passwd") { LinkName = "/etc/passwd" },
            new PaxTarEntry(TarEntryType.HardLink, "pkg/hard") { LinkName = "pkg/ok.txt" },
            new PaxTarEntry(TarEntryType.Fifo, "pkg/fifo"),
            Entry("other/x.txt"),
            Entry("loose.txt"),
            Entry("pkg/ok.txt", "second"));
        var destination = temp.Combine("out");

        var extraction = SafeArchiveExtractor.Extract(archive, destination);

        Assert.Equal(Path.Combine(destination, "pkg"), extraction.PackageFolder);
        Assert.Equal("x", File.ReadAllText(Path.Combine(destination, "pkg/ok.txt")));
        foreach (var name in new[] { "pkg/../evil.txt", "/tmp/absolute.txt", "pkg/passwd", "pkg/hard", "pkg/fifo", "other/x.txt", "loose.txt" })
        {
            Assert.Contains(extraction.Problems, p => p.Contains($"'{name}' refused", StringComparison.Ordinal));
        }

        Assert.Contains(extraction.Problems, p => p.Contains("'pkg/ok.txt' appears more than once", StringComparison.Ordinal));
        Assert.False(File.Exists(temp.Combine("evil.txt")));
        Assert.False(File.Exists(Path.Combine(destination, "pkg/passwd")));
        Assert.Equal(["ok.txt"], Directory.EnumerateFileSystemEntries(Path.Combine(destination, "pkg")).Select(Path.GetFileName));
    }

    [Fact]
    public void Extract_ArchiveExpandingPastTheByteLimit_StopsAndSaysSo()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("bomb.tar.gz");
        Tar(archive, Entry("pkg/a.txt", new string('a', 600)), Entry("pkg/b.txt", new string('b', 600)), Entry("pkg/c.txt", "c"));
        var destination = temp.Combine("out");

        var extraction = SafeArchiveExtractor.Extract(archive, destination, new ExtractionLimits(MaxEntries: 100, MaxTotalBytes: 1000));

        Assert.Contains(extraction.Problems, p => p.Contains("expands to more than 1000 bytes (at 'pkg/b.txt')", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(destination, "pkg/c.txt")));
    }

    [Fact]
    public void Extract_ArchiveWithTooManyEntries_StopsAndSaysSo()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("many.tar.gz");
        Tar(archive, [.. Enumerable.Range(0, 10).Select(i => Entry($"pkg/{i}.txt"))]);

        var extraction = SafeArchiveExtractor.Extract(archive, temp.Combine("out"), new ExtractionLimits(MaxEntries: 5, MaxTotalBytes: 1000));

        Assert.Contains(extraction.Problems, p => p.Contains("more than 5 entries", StringComparison.Ordinal));
        Assert.Equal(5, Directory.EnumerateFiles(temp.Combine("out/pkg")).Count());
    }

    [Fact]
    public void Extract_HostileZip_RefusesTraversalAndSymlinks()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("evil.zip");
        using (var zip = ZipFile.Open(archive, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("pkg/ok.txt").Open()))
            {
                writer.Write("ok");
            }

            zip.CreateEntry("pkg/../../evil.txt");
            zip.CreateEntry("pkg\\windows.txt");
            var link = zip.CreateEntry("pkg/link");
            link.ExternalAttributes = unchecked((int)0xA1FF0000);
            using (var writer = new StreamWriter(link.Open()))
            {
                writer.Write("/etc/passwd");
            }
        }

        var extraction = SafeArchiveExtractor.Extract(archive, temp.Combine("out"));

        Assert.Contains(extraction.Problems, p => p.Contains("'pkg/../../evil.txt' refused", StringComparison.Ordinal));
        Assert.Contains(extraction.Problems, p => p.Contains("'pkg\\windows.txt' refused: the path contains a backslash", StringComparison.Ordinal));
        Assert.Contains(extraction.Problems, p => p.Contains("'pkg/link' refused: links", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(temp.Path, "..", "evil.txt")));
        Assert.Equal("ok", File.ReadAllText(temp.Combine("out", "pkg", "ok.txt")));
    }

    [Fact]
    public void Extract_NotAnArchive_ReportsDamage()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("junk.tar.gz");
        File.WriteAllText(archive, "not gzip");

        var extraction = SafeArchiveExtractor.Extract(archive, temp.Combine("out"));

        Assert.Null(extraction.PackageFolder);
        Assert.Contains(extraction.Problems, p => p.Contains("damaged archive", StringComparison.Ordinal));
    }
}

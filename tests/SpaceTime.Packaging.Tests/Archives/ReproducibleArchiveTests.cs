using System.Formats.Tar;
using System.IO.Compression;
using SpaceTime.Packaging.Archives;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Archives;

public sealed class ReproducibleArchiveTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_733_000_000);
    private static readonly string LongPath = string.Join('/', Enumerable.Range(0, 8).Select(i => $"folder-with-a-long-name-{i}")) + "/file.txt";

    private static string Folder(TempFolder temp)
    {
        var root = temp.Combine("spacetime-vr-v1.0.0");
        void Write(string path, string contents, UnixFileMode mode)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, contents);
            File.SetUnixFileMode(full, mode);
        }

        Write("scripts/deploy.sh", "#!/bin/sh\necho deploy\n", FileModes.Executable);
        Write("docs/README.md", "# readme\n", FileModes.Regular);
        Write("b.txt", new string('x', 10_000), FileModes.Regular);
        Write(LongPath, "deep\n", FileModes.Regular);
        return root;
    }

    [Fact]
    public void WriteTarGzAndZip_TwiceWithDifferentFileTimes_SameBytes()
    {
        using var temp = new TempFolder();
        var folder = Folder(temp);

        ReproducibleArchive.WriteTarGz(folder, temp.Combine("1.tar.gz"), Epoch);
        ReproducibleArchive.WriteZip(folder, temp.Combine("1.zip"), Epoch);
        foreach (var file in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
            File.SetLastAccessTimeUtc(file, DateTime.UtcNow.AddDays(-2));
        }

        ReproducibleArchive.WriteTarGz(folder, temp.Combine("2.tar.gz"), Epoch);
        ReproducibleArchive.WriteZip(folder, temp.Combine("2.zip"), Epoch);

        Assert.Equal(File.ReadAllBytes(temp.Combine("1.tar.gz")), File.ReadAllBytes(temp.Combine("2.tar.gz")));
        Assert.Equal(File.ReadAllBytes(temp.Combine("1.zip")), File.ReadAllBytes(temp.Combine("2.zip")));
        ReproducibleArchive.WriteTarGz(folder, temp.Combine("3.tar.gz"), Epoch.AddSeconds(1));
        Assert.NotEqual(File.ReadAllBytes(temp.Combine("1.tar.gz")), File.ReadAllBytes(temp.Combine("3.tar.gz")));
    }

    [Fact]
    public void WriteTarGz_EntriesAreSortedOwnedByRootStampedWithTheEpoch_GzipHeaderHasNoTimeOrName()
    {
        using var temp = new TempFolder();
        var archive = temp.Combine("p.tar.gz");
        ReproducibleArchive.WriteTarGz(Folder(temp), archive, Epoch);

        var header = File.ReadAllBytes(archive)[..10];
        Assert.Equal([0x1f, 0x8b, 0x08], header[..3]);
        Assert.Equal(0, header[3]); // FLG: no FNAME, no FCOMMENT, no FEXTRA
        Assert.Equal([0, 0, 0, 0], header[4..8]); // MTIME
        using var tar = new TarReader(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress));
        var entries = new List<TarEntry>();
        while (tar.GetNextEntry() is { } entry)
        {
            entries.Add(entry);
        }

        Assert.Equal("spacetime-vr-v1.0.0/", entries[0].Name);
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        Assert.All(entries, e =>
        {
            Assert.Equal(Epoch, e.ModificationTime);
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.Equal("", ((PosixTarEntry)e).UserName);
        });
        Assert.Equal(FileModes.Executable, entries.Single(e => e.Name.EndsWith("deploy.sh", StringComparison.Ordinal)).Mode);
        Assert.Equal(FileModes.Regular, entries.Single(e => e.Name.EndsWith("README.md", StringComparison.Ordinal)).Mode);
        Assert.Contains(entries, e => e.Name == $"spacetime-vr-v1.0.0/{LongPath}");
    }

    [Fact]
    public async Task WriteTarGz_RealTarExtracts_ContentsAndScriptModes()
    {
        using var temp = new TempFolder();
        var folder = Folder(temp);
        ReproducibleArchive.WriteTarGz(folder, temp.Combine("p.tar.gz"), Epoch);
        Directory.CreateDirectory(temp.Combine("x"));

        var tar = await ProcessRunner.RunAsync("tar", ["-xzf", temp.Combine("p.tar.gz"), "-C", temp.Combine("x")]);

        Assert.True(tar.ExitCode == 0, tar.Output);
        var extracted = temp.Combine("x", "spacetime-vr-v1.0.0");
        Assert.Equal(File.ReadAllText(Path.Combine(folder, LongPath)), File.ReadAllText(Path.Combine(extracted, LongPath)));
        Assert.True(FileModes.IsExecutable(Path.Combine(extracted, "scripts/deploy.sh")));
        Assert.False(FileModes.IsExecutable(Path.Combine(extracted, "b.txt")));
    }

    [Fact]
    public void WriteZip_EntriesCarryUnixModesAndTheEpochAsUtc_TimesBefore1980Clamp()
    {
        using var temp = new TempFolder();
        var folder = Folder(temp);
        ReproducibleArchive.WriteZip(folder, temp.Combine("p.zip"), Epoch);
        ReproducibleArchive.WriteZip(folder, temp.Combine("old.zip"), DateTimeOffset.UnixEpoch);

        using var zip = ZipFile.OpenRead(temp.Combine("p.zip"));
        Assert.Equal(zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal), zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(Epoch.UtcDateTime, e.LastWriteTime.DateTime));
        Assert.Equal(0x81ED, zip.GetEntry("spacetime-vr-v1.0.0/scripts/deploy.sh")!.ExternalAttributes >>> 16);
        Assert.Equal(0x81A4, zip.GetEntry("spacetime-vr-v1.0.0/docs/README.md")!.ExternalAttributes >>> 16);
        using var old = ZipFile.OpenRead(temp.Combine("old.zip"));
        Assert.All(old.Entries, e => Assert.Equal(ReproducibleArchive.ZipEpoch.UtcDateTime, e.LastWriteTime.DateTime));
    }
}

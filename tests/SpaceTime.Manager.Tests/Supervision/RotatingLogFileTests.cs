using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

public sealed class RotatingLogFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void WriteLine_UnderTheLimit_AppendsToOneFile()
    {
        var path = Path.Combine(_folder.Path, "game.log");
        using (var log = new RotatingLogFile(path, maxBytes: 1000, maxBackups: 2))
        {
            log.WriteLine("one");
            log.WriteLine("two");
        }

        Assert.Equal(["one", "two"], File.ReadAllLines(path));
        Assert.False(File.Exists(path + ".1"));
    }

    [Fact]
    public void WriteLine_PastTheLimit_RotatesAndKeepsAtMostMaxBackups()
    {
        var path = Path.Combine(_folder.Path, "logs", "game.log");
        using (var log = new RotatingLogFile(path, maxBytes: 20, maxBackups: 2))
        {
            // 9 bytes each with the newline: two fit in 20 bytes, the third rotates.
            for (var i = 0; i < 7; i++)
            {
                log.WriteLine($"line {i:D3}");
            }
        }

        Assert.Equal(["line 006"], File.ReadAllLines(path));
        Assert.Equal(["line 004", "line 005"], File.ReadAllLines(path + ".1"));
        Assert.Equal(["line 002", "line 003"], File.ReadAllLines(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(new[] { path, path + ".1", path + ".2" }, f => Assert.True(new FileInfo(f).Length <= 20));
    }

    [Fact]
    public void WriteLine_ExistingFileNearTheLimit_RotatesOnReopen()
    {
        var path = Path.Combine(_folder.Path, "game.log");
        File.WriteAllText(path, new string('x', 15) + "\n");
        using (var log = new RotatingLogFile(path, maxBytes: 20, maxBackups: 1))
        {
            log.WriteLine("fresh");
        }

        Assert.Equal(["fresh"], File.ReadAllLines(path));
        Assert.Equal([new string('x', 15)], File.ReadAllLines(path + ".1"));
    }

    [Fact]
    public void WriteLine_NoBackups_TruncatesInstead()
    {
        var path = Path.Combine(_folder.Path, "game.log");
        using (var log = new RotatingLogFile(path, maxBytes: 10, maxBackups: 0))
        {
            log.WriteLine("aaaaaaa");
            log.WriteLine("bbbbbbb");
        }

        Assert.Equal(["bbbbbbb"], File.ReadAllLines(path));
        Assert.False(File.Exists(path + ".1"));
    }
}

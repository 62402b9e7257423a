using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Records;

/// <summary>
/// A full or read-only data dir (a real 2 MiB tmpfs) and damaged history databases, against the real executable:
/// nothing acknowledged is lost, the answers say why, and health recovers by itself.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StorageFaultTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serve_DiskFullThenSpaceReturns_RefusesUnsavedLoadsKeepsReadsAnd401sThenRecovers()
    {
        using var mount = await SmallTmpfs.MountAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var process = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", mount.Path);
        using var http = SpacetimeProcess.CreateClient(await process.WaitForListeningPortAsync(Deadline));
        using var anonymous = new HttpClient { BaseAddress = http.BaseAddress };

        var filler = Path.Combine(mount.Path, "filler");
        Fill(filler);
        var acknowledged = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 200 && refused is null; i++)
        {
            var load = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, ct);
            if (load.StatusCode == HttpStatusCode.OK)
            {
                // Fitted into space already allocated: durable, so rightly acknowledged.
                acknowledged++;
            }
            else
            {
                refused = load;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Contains("no space left on device", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Reads answer as usual; an authentication failure stays a 401.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/scene", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/scene/history", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/status", ct)).StatusCode);
        var health = await http.GetAsync("/health", ct);
        var checks = (await health.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("checks");
        Assert.Equal("fail", checks.GetProperty("storage").GetProperty("status").GetString());

        File.Delete(filler);
        await PollAsync(async () =>
        {
            var h = await http.GetFromJsonAsync<JsonElement>("/health", ct);
            return h.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString() == "pass";
        }, process);
        var again = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        acknowledged++;

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(Deadline));
        var loads = ReadAudit(mount.Path).Count(r => r.GetProperty("result").GetString() == "SCENE_LOAD");
        Assert.Equal(acknowledged, loads);
        var history = await Sqlite(Path.Combine(mount.Path, "spacetime.db"), "SELECT COUNT(*) FROM scene_history WHERE scene_path = 'res://node_3d.tscn';");
        Assert.True(int.Parse(history.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= acknowledged, $"history has {history.Trim()} loads, {acknowledged} acknowledged");
    }

    [Fact]
    public async Task Serve_ReadOnlyDataDir_StopsWithOneLineSayingWhatToDo()
    {
        using var mount = await SmallTmpfs.MountAsync();
        await using (var first = SpacetimeProcess.Start("serve", "--http-port", "0", "--data-dir", mount.Path))
        {
            await first.WaitForListeningPortAsync(Deadline);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(Deadline));
        }

        await mount.RemountReadOnlyAsync();
        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "serve", "--http-port", "0", "--data-dir", mount.Path);

        Assert.NotEqual(0, code);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("spacetime: error:", StringComparison.Ordinal));
        Assert.Contains(mount.Path, line, StringComparison.Ordinal);
        Assert.Contains("the data dir must be writable", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    public static TheoryData<string> Damage => new() { "empty", "bad-header", "damaged-page" };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task Serve_DamagedHistoryDatabase_StopsWithOneLineNamingTheFile(string damage)
    {
        using var data = new TempFolder();
        var db = Path.Combine(data.Path, "spacetime.db");
        switch (damage)
        {
            case "empty":
                await File.WriteAllBytesAsync(db, [], TestContext.Current.CancellationToken);
                break;
            case "bad-header":
                await File.WriteAllBytesAsync(db, [.. Enumerable.Repeat((byte)0x5A, 8192)], TestContext.Current.CancellationToken);
                break;
            default:
                await Sqlite(db, """
                    PRAGMA page_size = 4096;
                    CREATE TABLE scene_history (id INTEGER PRIMARY KEY AUTOINCREMENT, scene_path TEXT NOT NULL, scene_name TEXT,
                      loaded_at TEXT NOT NULL, load_duration_ms REAL, result TEXT NOT NULL, error TEXT);
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                    INSERT INTO scene_history (scene_path, loaded_at, result) SELECT 'res://scene_' || i || '.tscn', '2026-01-01', 'success' FROM n;
                    """);
                await using (var file = new FileStream(db, FileMode.Open, FileAccess.Write))
                {
                    // A page in the middle of the table: the header and the first pages stay good.
                    file.Position = 20 * 4096;
                    file.Write([.. Enumerable.Repeat((byte)0xFF, 4096)]);
                }

                break;
        }

        var before = await File.ReadAllBytesAsync(db, TestContext.Current.CancellationToken);

        var (code, output) = await SpacetimeProcess.RunAsync(Deadline, "serve", "--http-port", "0", "--data-dir", data.Path);

        Assert.NotEqual(0, code);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("spacetime: error:", StringComparison.Ordinal));
        Assert.Contains(db, line, StringComparison.Ordinal);
        Assert.True(line.Contains("restore it from a backup", StringComparison.Ordinal), output);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(db, TestContext.Current.CancellationToken));
    }

    private static void Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // Full: now fill the last pages byte-wise chunks so little is left.
        }

        try
        {
            while (true)
            {
                stream.Write(block, 0, 512);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // Full to the last block.
        }
    }

    private static List<JsonElement> ReadAudit(string dataDir) =>
        [.. Directory.GetFiles(Path.Combine(dataDir, "audit"), "audit*.log").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement)];

    private static async Task PollAsync(Func<Task<bool>> done, SpacetimeProcess process)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await done())
        {
            Assert.False(process.HasExited, process.Output);
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {Deadline}:\n{process.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<string> Sqlite(string db, string sql)
    {
        var info = new ProcessStartInfo("sqlite3", [db]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var sqlite = Process.Start(info)!;
        await sqlite.StandardInput.WriteAsync(sql);
        sqlite.StandardInput.Close();
        var output = await sqlite.StandardOutput.ReadToEndAsync();
        var errors = await sqlite.StandardError.ReadToEndAsync();
        await sqlite.WaitForExitAsync();
        Assert.True(sqlite.ExitCode == 0, errors);
        return output;
    }
}

/// <summary>A 2 MiB tmpfs mounted for one test (the tests run as root), unmounted on dispose.</summary>
internal sealed class SmallTmpfs : IDisposable
{
    private readonly TempFolder _folder;

    private SmallTmpfs(TempFolder folder) => _folder = folder;

    public string Path => _folder.Path;

    public static async Task<SmallTmpfs> MountAsync()
    {
        var folder = new TempFolder();
        var (code, output) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", folder.Path);
        Assert.SkipWhen(code != 0, $"cannot mount a tmpfs here (mount said: {output.Trim()}); the storage fault tests need root");
        return new SmallTmpfs(folder);
    }

    /// <summary>Makes the file system read-only (nothing may have a file open for writing on it).</summary>
    public async Task RemountReadOnlyAsync()
    {
        var (code, output) = await RunAsync("mount", "-o", "remount,ro", Path);
        Assert.True(code == 0, $"remount read-only failed: {output}");
    }

    public void Dispose()
    {
        RunAsync("umount", "-l", Path).GetAwaiter().GetResult();
        _folder.Dispose();
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

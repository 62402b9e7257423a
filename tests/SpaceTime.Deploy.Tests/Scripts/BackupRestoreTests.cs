using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SpaceTime.Deploy.Tests.Support;
using SpaceTime.Records;

namespace SpaceTime.Deploy.Tests.Scripts;

/// <summary>
/// backup.sh on a running SpaceTime, the data dir wiped, restore.sh, SpaceTime started again: the state is back; tampered
/// archives are refused. With PostgreSQL: a real server dumped and restored into a fresh database, the password never shown.
/// </summary>
public sealed class BackupRestoreTests
{
    [Fact]
    public async Task BackupOfARunningSpacetime_RestoredIntoAWipedDataDir_BringsBackHistoryTokensRevocationsAndAudit()
    {
        using var data = new TempFolder();
        using var backups = new TempFolder();
        var ct = TestContext.Current.CancellationToken;
        string kept, revoked, archive;
        List<string> history;
        await using (var first = await RunningSpacetime.StartAsync(data.Path))
        {
            using var http = first.CreateClient();
            kept = await IssueAsync(http, "backup-kept");
            revoked = await IssueAsync(http, "backup-revoked");
            using (var revoke = new HttpRequestMessage(HttpMethod.Post, "/godot/auth/revoke") { Content = JsonContent.Create(new { }) })
            {
                revoke.Headers.Authorization = new("Bearer", revoked);
                Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(revoke, ct)).StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/godot/scene/load", new { scene_path = "res://vr_main.tscn" }, ct)).StatusCode);
            history = await HistoryAsync(http);
            Assert.True(history.Count >= 2, string.Join(", ", history));

            // While it runs: SQLite is snapshotted by sqlite3, the rest copied.
            var backup = await Tool.ScriptAsync("backup.sh", ["--data-dir", data.Path, "--output", backups.Path]);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            archive = backup.StdOut.Trim();
            Assert.True(File.Exists(archive) && File.Exists(archive + ".sha256"), backup.ToString());
            await first.StopAsync();
        }

        foreach (var entry in new DirectoryInfo(data.Path).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        var restore = await Tool.ScriptAsync("restore.sh", ["--data-dir", data.Path, archive]);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        await using var second = await RunningSpacetime.StartAsync(data.Path);
        using var again = second.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await AuthStatusAsync(again, kept)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AuthStatusAsync(again, revoked)).StatusCode);
        var restored = await HistoryAsync(again);
        Assert.All(history, loadedAt => Assert.Contains(loadedAt, restored));
        var audit = await File.ReadAllTextAsync(Path.Combine(data.Path, "audit", "audit.log"), ct);
        Assert.Contains("\"TOKEN_REVOKED\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_CorruptedTamperedOrUnverifiableArchive_IsRefusedAndTouchesNothing()
    {
        using var source = new TempFolder();
        using var backups = new TempFolder();
        using var target = new TempFolder();
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.Combine(source.Path, "security"));
        await File.WriteAllTextAsync(Path.Combine(source.Path, "security", "tokens.json"), "{\"revoked\":[\"a\"]}", ct);
        Assert.Equal(0, (await Tool.RunAsync("sqlite3", [Path.Combine(source.Path, "spacetime.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);"], null)).ExitCode);
        var backup = await Tool.ScriptAsync("backup.sh", ["--data-dir", source.Path, "--output", backups.Path, "--name", "b"]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var archive = Path.Combine(backups.Path, "b.tar.gz");

        // 1. One byte flipped in transit.
        var corrupted = Path.Combine(backups.Path, "corrupted", "b.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(corrupted)!);
        var bytes = await File.ReadAllBytesAsync(archive, ct);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(corrupted, bytes, ct);
        File.Copy(archive + ".sha256", corrupted + ".sha256");
        await AssertRefusedAsync(corrupted, target.Path, "checksum mismatch");

        // 2. A file changed inside and the outer checksum recomputed: the manifest still tells.
        var tampered = Path.Combine(backups.Path, "tampered");
        var unpacked = Directory.CreateDirectory(Path.Combine(tampered, "x")).FullName;
        Assert.Equal(0, (await Tool.RunAsync("tar", ["-xzf", archive, "-C", unpacked], null)).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(unpacked, "data", "security", "tokens.json"), "{\"revoked\":[]}", ct);
        Assert.Equal(0, (await Tool.RunAsync("tar", ["-czf", Path.Combine(tampered, "b.tar.gz"), "-C", unpacked, "."], null)).ExitCode);
        var checksum = await Tool.RunAsync("sha256sum", ["b.tar.gz"], tampered);
        await File.WriteAllTextAsync(Path.Combine(tampered, "b.tar.gz.sha256"), checksum.StdOut, ct);
        await AssertRefusedAsync(Path.Combine(tampered, "b.tar.gz"), target.Path, "do not match its manifest");

        // 3. No checksum file at all.
        var unverifiable = Path.Combine(backups.Path, "alone", "b.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(unverifiable)!);
        File.Copy(archive, unverifiable);
        await AssertRefusedAsync(unverifiable, target.Path, "checksum file");

        // The untouched archive restores; a non-empty data dir needs --force and is kept aside.
        Assert.Equal(0, (await Tool.ScriptAsync("restore.sh", ["--data-dir", target.Path, archive])).ExitCode);
        Assert.Equal("{\"revoked\":[\"a\"]}", await File.ReadAllTextAsync(Path.Combine(target.Path, "security", "tokens.json"), ct));
        var again = await Tool.ScriptAsync("restore.sh", ["--data-dir", target.Path, archive]);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--force", again.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, (await Tool.ScriptAsync("restore.sh", ["--data-dir", target.Path, "--force", archive])).ExitCode);
        Assert.Single(Directory.GetDirectories(Path.GetDirectoryName(target.Path)!, Path.GetFileName(target.Path) + ".before-restore-*"), d =>
        {
            var keep = File.Exists(Path.Combine(d, "spacetime.db"));
            Directory.Delete(d, recursive: true);
            return keep;
        });
    }

    [Fact]
    public async Task Backup_OutboxBeingWritten_IsSnapshottedWholeAndRestoresWithItsOrigin()
    {
        using var source = new TempFolder();
        using var backups = new TempFolder();
        using var target = new TempFolder();
        using var unpacked = new TempFolder();
        // The real outbox, its pooled connection still open: the records sit in outbox.db-wal, not yet in outbox.db.
        var outbox = new RecordOutbox(source.Path);
        foreach (var n in Enumerable.Range(1, 3))
        {
            outbox.Enqueue("history", $"{{\"n\":{n}}}");
        }

        Assert.True(new FileInfo(outbox.Path + "-wal").Length > 0);

        var backup = await Tool.ScriptAsync("backup.sh", ["--data-dir", source.Path, "--output", backups.Path, "--name", "b"], NoDatabase(source.Path));
        SqliteConnection.ClearAllPools();

        Assert.True(backup.ExitCode == 0, backup.ToString());
        var archive = Path.Combine(backups.Path, "b.tar.gz");
        Assert.Equal(0, (await Tool.RunAsync("tar", ["-xzf", archive, "-C", unpacked.Path], null)).ExitCode);
        Assert.Equal(["outbox.db"], Directory.GetFiles(Path.Combine(unpacked.Path, "data"), "outbox.db*").Select(Path.GetFileName));
        var restore = await Tool.ScriptAsync("restore.sh", ["--data-dir", target.Path, archive], NoDatabase(target.Path));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var restored = new RecordOutbox(target.Path);
        Assert.Equal(3, restored.Count());
        Assert.Equal(outbox.Origin, restored.Origin); // so PostgreSQL still recognises records delivered before the backup
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task BackupOfPostgres_RestoredIntoAFreshDatabase_HasTheSameRowsAndNeverShowsThePassword()
    {
        await using var database = await PostgresServer.StartAsync();
        using var backups = new TempFolder();
        using var emptyDataDir = new TempFolder();
        // Characters a URL must percent-encode: backup.sh and restore.sh decode them for libpq, which needs the real one.
        const string password = "b@ck:up/p%ss-5c2e";
        const string encoded = "b%40ck%3Aup%2Fp%25ss-5c2e";
        await database.AddPasswordUserAsync("operator", password);
        var url = $"postgresql://operator:{encoded}@127.0.0.1:{database.Port}/postgres";
        var migrate = await Tool.ScriptAsync("migrate_database.sh", ["--database-url", database.Url]);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        await database.QueryAsync("""
            INSERT INTO scene_history (scene_path, loaded_at, result, instance_id, origin, origin_seq)
                SELECT 'res://vr_main.tscn', now() - n * interval '1 minute', 'success', 'spacetime-0', 'o1', n FROM generate_series(1, 5) n;
            INSERT INTO audit_log (logged_at, event, result, subject, origin, origin_seq)
                SELECT now(), 'TOKEN_ISSUED', 'success', 'player-' || n, 'o1', 100 + n FROM generate_series(1, 3) n
            """);
        const string rows = "SELECT (SELECT string_agg(concat_ws('|', id, scene_path, loaded_at, origin, origin_seq), ',' ORDER BY id) FROM scene_history) || ';' || " +
                            "(SELECT string_agg(concat_ws('|', id, event, subject, origin_seq), ',' ORDER BY id) FROM audit_log)";
        var before = await database.QueryAsync(rows);

        // As the CronJob runs it: the URL in DATABASE_URL, no data dir worth saving.
        var backup = await Tool.ScriptAsync("backup.sh", ["--output", backups.Path, "--name", "db"],
            new Dictionary<string, string?> { ["DATABASE_URL"] = url, ["SPACETIME_DATA_DIR"] = emptyDataDir.Path });
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var archive = Path.Combine(backups.Path, "db.tar.gz");
        var listing = await Tool.RunAsync("tar", ["-tzf", archive], null);
        Assert.Equal(["BACKUP_INFO", "MANIFEST.sha256", "database/", "database/postgresql.dump"], listing.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        await database.QueryAsync("CREATE DATABASE restored");
        var restore = await Tool.ScriptAsync("restore.sh", ["--database-url", url.Replace("/postgres", "/restored", StringComparison.Ordinal), archive], NoDatabase(emptyDataDir.Path));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(before, await database.QueryAsync(rows, "restored"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(emptyDataDir.Path));

        // Restored again over the rows it made (--clean), and refused without a URL for its dump; a wrong password fails.
        var again = await Tool.ScriptAsync("restore.sh", ["--database-url", url.Replace("/postgres", "/restored", StringComparison.Ordinal), archive], NoDatabase(emptyDataDir.Path));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(before, await database.QueryAsync(rows, "restored"));
        var withoutUrl = await Tool.ScriptAsync("restore.sh", [archive], NoDatabase(emptyDataDir.Path));
        Assert.Equal(1, withoutUrl.ExitCode);
        Assert.Contains("pass --database-url", withoutUrl.StdErr, StringComparison.Ordinal);
        var wrong = await Tool.ScriptAsync("backup.sh", ["--database-url", url.Replace(encoded, encoded + "x", StringComparison.Ordinal), "--output", backups.Path, "--name", "wrong"],
            NoDatabase(emptyDataDir.Path));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("password authentication failed", wrong.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(backups.Path, "wrong.tar.gz")));
        foreach (var result in new[] { migrate, backup, restore, again, withoutUrl, wrong })
        {
            Assert.DoesNotContain(encoded, result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(password, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Backup_DatabaseUrlOptionWithAnEqualsSign_IsRejectedWithoutEchoingIt()
    {
        var result = await Tool.ScriptAsync("backup.sh", [$"--database-ur={PostgresServer.Password}"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown argument '--database-ur'", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, result.Output, StringComparison.Ordinal);
    }

    /// <summary>The scripts' environment without DATABASE_URL (the machine's own must not leak in), with SPACETIME_DATA_DIR.</summary>
    private static Dictionary<string, string?> NoDatabase(string dataDir) => new() { ["DATABASE_URL"] = null, ["SPACETIME_DATA_DIR"] = dataDir };

    private static async Task AssertRefusedAsync(string archive, string dataDir, string reason)
    {
        var result = await Tool.ScriptAsync("restore.sh", ["--data-dir", dataDir, archive]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(reason, result.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
    }

    private static async Task<string> IssueAsync(HttpClient admin, string subject)
    {
        using var response = await admin.PostAsJsonAsync("/godot/auth/token", new { subject, role = "readonly", ttl = "1h" }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpResponseMessage> AuthStatusAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/godot/auth/status");
        request.Headers.Authorization = new("Bearer", token);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<List<string>> HistoryAsync(HttpClient http)
    {
        var body = await http.GetFromJsonAsync<JsonElement>("/godot/scene/history?limit=100", TestContext.Current.CancellationToken);
        return [.. body.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("loaded_at").GetString()!)];
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Security.Audit;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>The audit log written by a running runtime: one JSON object per line, never a token.</summary>
public sealed class AuditTrailTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private string AuditFile => Path.Combine(runtime.DataDir, "audit", AuditLog.FileName);

    [Fact]
    public async Task SecurityEvents_Requests_EachAuditedAsJsonLineWithoutTokens()
    {
        var admin = runtime.CreateClient();
        var issued = await admin.IssueTokenAsync("readonly", subject: "audited-reader");
        var readOnly = runtime.CreateClient(issued.Value);
        using (await runtime.CreateAnonymousClient().GetAsync("/scene", TestContext.Current.CancellationToken))
        using (await admin.GetWithAuthorizationAsync("/scene", "Bearer " + issued.Value + "x"))
        using (await readOnly.PostJsonAsync("/scene", """{"scene_path":"res://vr_main.tscn"}"""))
        using (await admin.PostJsonAsync("/scene", """{"scene_path":"res://vr_main.tscn"}"""))
        using (await readOnly.PostJsonAsync("/auth/revoke"))
        using (await admin.PostJsonAsync("/auth/rotate"))
        {
        }

        var lines = SecurityHttp.ReadAuditLines(AuditFile);

        Assert.All(lines, l =>
        {
            Assert.True(DateTimeOffset.TryParse(l.Str("timestamp"), out _), $"timestamp in {l}");
            Assert.False(string.IsNullOrEmpty(l.Str("event")));
            Assert.False(string.IsNullOrEmpty(l.Str("result")));
        });
        Assert.Contains(lines, l => l.Str("result") == "STARTUP");
        AssertEvent(lines, "AUTH_FAILURE", 401, "/scene", l => l.Str("details") == "missing_token");
        AssertEvent(lines, "AUTH_FAILURE", 401, "/scene", l => l.Str("details") == "invalid_signature");
        AssertEvent(lines, "FORBIDDEN", 403, "/scene", l => l.Str("role") == "readonly" && l.Str("subject") == "audited-reader");
        AssertEvent(lines, "SCENE_LOAD", 200, "/scene", l => l.Str("details").StartsWith("res://vr_main.tscn", StringComparison.Ordinal));
        AssertEvent(lines, "TOKEN_ISSUED", 200, "/auth/token", l => l.Str("details").Contains(issued.Jti, StringComparison.Ordinal));
        AssertEvent(lines, "TOKEN_REVOKED", 200, "/auth/revoke", l => l.Str("details").Contains(issued.Jti, StringComparison.Ordinal));
        AssertEvent(lines, "KEY_ROTATED", 200, "/auth/rotate", _ => true);
        var text = File.ReadAllText(AuditFile);
        Assert.DoesNotContain(RuntimeApiFixture.AdminToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Value.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain(issued.Value.Split('.')[1], text, StringComparison.Ordinal);
    }

    private static void AssertEvent(IReadOnlyList<JsonElement> lines, string result, int status, string endpoint, Func<JsonElement, bool> also) =>
        Assert.True(
            lines.Any(l => l.Str("result") == result && l.TryGetProperty("status", out var s) && s.GetInt32() == status
                           && l.Str("endpoint") == endpoint && l.Str("client") == "unknown" && also(l)),
            $"no {result} ({status}) line for {endpoint} in:\n{string.Join("\n", lines)}");
}

/// <summary>The audit log on its own: concurrent writers, rotation by size, retention.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly string _folder = RuntimeApiFixture.NewTempFolder("audit");

    [Fact]
    public async Task Write_ManyConcurrentWriters_EveryLineWholeAndNoneLost()
    {
        using var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 100, retentionDays: 30, TimeProvider.System);

        await WriteConcurrentlyAsync(log, writers: 16, perWriter: 500, maxDetail: 1500);

        var lines = File.ReadAllLines(log.CurrentFile);
        Assert.Equal(8000, lines.Length);
        AssertEveryWriteOnce(lines, 16, 500);
        Assert.Equal(8000, log.EventsWritten);
    }

    [Fact]
    public async Task Write_PastMaxFileSize_RotatesWithoutLosingLines()
    {
        using var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 0.01, retentionDays: 30, TimeProvider.System);

        await WriteConcurrentlyAsync(log, writers: 8, perWriter: 150, maxDetail: 300);

        var rotated = Directory.GetFiles(_folder, "audit-*.log");
        Assert.True(rotated.Length >= 5, $"only {rotated.Length} rotated files");
        var files = rotated.Append(log.CurrentFile).ToList();
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 0.01 * 1024 * 1024 || File.ReadAllLines(f).Length == 1, $"{f} is {new FileInfo(f).Length} bytes"));
        AssertEveryWriteOnce(files.SelectMany(File.ReadAllLines).ToList(), 8, 150);
    }

    [Fact]
    public async Task Write_TwoLogsOnOneFolderRotatingSmall_EveryLineWholeOnceAndInOrder()
    {
        // Two AuditLog instances hold separate flock descriptions, exactly as two processes do.
        using var first = new AuditLog(_folder, enabled: true, maxFileSizeMb: 0.02, retentionDays: 30, TimeProvider.System, "first");
        using var second = new AuditLog(_folder, enabled: true, maxFileSizeMb: 0.02, retentionDays: 30, TimeProvider.System, "second");

        await Task.WhenAll(WriteConcurrentlyAsync(first, writers: 4, perWriter: 300, maxDetail: 400, firstWriter: 0),
            WriteConcurrentlyAsync(second, writers: 4, perWriter: 300, maxDetail: 400, firstWriter: 4));

        var files = Directory.GetFiles(_folder, "audit-*.log").Order(StringComparer.Ordinal).Append(first.CurrentFile).ToList();
        Assert.True(files.Count >= 5, $"only {files.Count} files: rotation did not happen");
        var lines = files.SelectMany(File.ReadAllLines).ToList();
        AssertEveryWriteOnce(lines, 8, 300);
        Assert.Contains(lines, l => l.Contains("\"instance_id\":\"first\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"instance_id\":\"second\"", StringComparison.Ordinal));
        Assert.All(files, f =>
        {
            // Commit order: the time is taken under the lock, so each file's lines are in time order.
            var stamps = File.ReadAllLines(f).Select(l => JsonDocument.Parse(l).RootElement.Str("timestamp")).ToList();
            Assert.Equal(stamps.Order(StringComparer.Ordinal), stamps);
        });
    }

    [Fact]
    public void Write_AfterATornLastLine_CutsItOffAndAppendsWholeLines()
    {
        using (var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 10, retentionDays: 7, TimeProvider.System))
        {
            log.Write(new AuditEvent("test", "BEFORE"));
        }

        File.AppendAllText(Path.Combine(_folder, AuditLog.FileName), "{\"timestamp\":\"2026-");
        using var again = new AuditLog(_folder, enabled: true, maxFileSizeMb: 10, retentionDays: 7, TimeProvider.System);

        again.Write(new AuditEvent("test", "AFTER"));

        var lines = File.ReadAllLines(again.CurrentFile);
        Assert.Equal(["BEFORE", "AFTER"], lines.Select(l => JsonDocument.Parse(l).RootElement.Str("result")));
    }

    [Fact]
    public void Constructor_RotatedFilesOlderThanRetention_DeletesOnlyThose()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var now = clock.GetUtcNow().UtcDateTime;
        var old = Touch("audit-20200101-000000-000.log", now.AddDays(-8));
        var recent = Touch("audit-20200102-000000-000.log", now.AddDays(-6));
        var current = Touch(AuditLog.FileName, now.AddDays(-30));
        var unrelated = Touch("notes-old.log", now.AddDays(-30));

        using var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 10, retentionDays: 7, clock);

        Assert.False(File.Exists(old), "rotated file older than retention survived");
        Assert.True(File.Exists(recent), "rotated file within retention was deleted");
        Assert.True(File.Exists(current), "the current audit.log was deleted");
        Assert.True(File.Exists(unrelated), "a file that is not a rotated audit log was deleted");
    }

    [Fact]
    public void Rotate_WithExpiredRotatedFiles_DeletesThem()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 0.001, retentionDays: 1, clock);
        log.Write(new AuditEvent("test", "FIRST", Details: new string('a', 600)));
        log.Write(new AuditEvent("test", "SECOND", Details: new string('b', 600)));
        var first = Assert.Single(Directory.GetFiles(_folder, "audit-*.log"));
        File.SetLastWriteTimeUtc(first, clock.GetUtcNow().UtcDateTime.AddDays(-2));

        clock.Advance(TimeSpan.FromSeconds(1));
        log.Write(new AuditEvent("test", "THIRD", Details: new string('c', 600)));

        var rotated = Assert.Single(Directory.GetFiles(_folder, "audit-*.log"));
        Assert.NotEqual(first, rotated);
        Assert.Contains("SECOND", File.ReadAllText(rotated), StringComparison.Ordinal);
        Assert.Contains("THIRD", File.ReadAllText(log.CurrentFile), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Disabled_WritesNothing()
    {
        var folder = Path.Combine(_folder, "disabled");
        using var log = new AuditLog(folder, enabled: false, maxFileSizeMb: 10, retentionDays: 7, TimeProvider.System);

        log.Write(new AuditEvent("test", "NOTHING"));

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Write_DetailsWithNewlinesAndQuotes_StaysOneParsableLine()
    {
        using var log = new AuditLog(_folder, enabled: true, maxFileSizeMb: 10, retentionDays: 7, TimeProvider.System);
        const string Hostile = "line1\nline2\r\n{\"result\":\"FORGED\"}\u2028end";

        log.Write(new AuditEvent("test", "REAL", Endpoint: "/x\n", Details: Hostile));

        var line = Assert.Single(File.ReadAllLines(log.CurrentFile));
        using var json = JsonDocument.Parse(line);
        Assert.Equal("REAL", json.RootElement.Str("result"));
        Assert.Equal(Hostile, json.RootElement.Str("details"));
    }

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task WriteConcurrentlyAsync(AuditLog log, int writers, int perWriter, int maxDetail, int firstWriter = 0)
    {
        // Dedicated threads released together: blocking pool threads on the barrier would starve the pool.
        using var start = new Barrier(writers);
        await Task.WhenAll(Enumerable.Range(firstWriter, writers).Select(w => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                for (var i = 0; i < perWriter; i++)
                {
                    // Varied lengths (some non-ASCII, so more bytes than characters) so writes straddle buffer boundaries.
                    var length = (i * 7919 + w * 104729) % maxDetail;
                    var details = new StringBuilder().Append('é', length / 2).Append('x', i % 3 == 0 ? length / 2 : 0).ToString();
                    log.Write(new AuditEvent("test", "CONCURRENT", $"writer-{w}", $"/w/{w}", Details: $"{w}:{i}:{details}"));
                }
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));
    }

    private static void AssertEveryWriteOnce(IReadOnlyCollection<string> lines, int writers, int perWriter)
    {
        var seen = new HashSet<(int, int)>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Equal("CONCURRENT", root.Str("result"));
            var parts = root.Str("details").Split(':', 3);
            var (w, i) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"writer-{w}", root.Str("client"));
            Assert.True(seen.Add((w, i)), $"line {w}:{i} written twice");
        }

        Assert.Equal(writers * perWriter, seen.Count);
    }

    private string Touch(string name, DateTime lastWriteUtc)
    {
        var file = Path.Combine(_folder, name);
        File.WriteAllText(file, "{}\n");
        File.SetLastWriteTimeUtc(file, lastWriteUtc);
        return file;
    }
}

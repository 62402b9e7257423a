using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SpaceTime.Cli.Tests.Records;

/// <summary>Scene history and the audit trail in a real PostgreSQL shared by real <c>spacetime serve</c> processes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresRecordsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoInstances_SharingPostgres_HistoryOnBShowsAsLoadsWithAsInstanceId()
    {
        await using var database = await PostgresServer.StartAsync();
        using var dataA = new TempFolder();
        using var dataB = new TempFolder();
        await using var a = Serve(database, dataA, "game-a");
        await using var b = Serve(database, dataB, "game-b");
        using var httpA = SpacetimeProcess.CreateClient(await a.WaitForListeningPortAsync(Deadline));
        using var httpB = SpacetimeProcess.CreateClient(await b.WaitForListeningPortAsync(Deadline));
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await httpA.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, ct)).StatusCode);

        await PollAsync(async () =>
        {
            var history = await httpB.GetFromJsonAsync<JsonElement>("/scene/history", ct);
            return history.GetProperty("history").EnumerateArray().Any(e =>
                e.GetProperty("instance_id").GetString() == "game-a" && e.GetProperty("scene_path").GetString() == "res://node_3d.tscn");
        }, a, b);
        var status = await httpB.GetStringAsync("/status", ct);
        var storage = JsonDocument.Parse(status).RootElement.GetProperty("storage");
        Assert.Equal("postgresql", storage.GetProperty("records").GetString());
        Assert.Equal("game-b", JsonDocument.Parse(status).RootElement.GetProperty("instance_id").GetString());
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM audit_log WHERE result = 'SCENE_LOAD' AND instance_id = 'game-a'") == 1, a, b);

        // B's own delivery reports the database reached once it has made its first pass (B reads history from it directly).
        var health = default(JsonElement);
        await PollAsync(async () =>
        {
            health = await httpB.GetFromJsonAsync<JsonElement>("/health", ct);
            return health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString() == "pass";
        }, a, b);
        a.Terminate();
        b.Terminate();
        await a.WaitForExitAsync(Deadline);
        await b.WaitForExitAsync(Deadline);
        // The password is in DATABASE_URL: never in /status, /health, the log or the audit trail.
        var everything = status + health + a.Output + b.Output + string.Concat(Directory.GetFiles(Path.Combine(dataA.Path, "audit")).Select(File.ReadAllText))
                         + await database.QueryAsync("SELECT string_agg(coalesce(details, ''), ' ') FROM audit_log");
        Assert.DoesNotContain(PostgresServer.Password, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseStopped_LoadsStillAcknowledged_EveryRecordDeliveredWhenItReturns()
    {
        await using var database = await PostgresServer.StartAsync();
        using var data = new TempFolder();
        await using var game = Serve(database, data, "game-outage");
        using var http = SpacetimeProcess.CreateClient(await game.WaitForListeningPortAsync(Deadline));
        var ct = TestContext.Current.CancellationToken;
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM scene_history") >= 1, game);

        await database.StopAsync();
        const int Loads = 25;
        for (var i = 0; i < Loads; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, ct)).StatusCode);
        }

        await PollAsync(async () =>
        {
            var health = await http.GetFromJsonAsync<JsonElement>("/health", ct);
            return health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString() == "warn"
                   && health.GetProperty("status").GetString() == "degraded";
        }, game);
        await database.StartAgainAsync();

        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM scene_history WHERE scene_path = 'res://node_3d.tscn'") == Loads, game);
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM audit_log WHERE result = 'SCENE_LOAD'") == Loads, game);
        // In order: the database's ids follow the outbox's order.
        var order = await database.QueryAsync("SELECT string_agg(origin_seq::text, ',' ORDER BY id) FROM scene_history");
        var seqs = order.Split(',').Select(long.Parse).ToList();
        Assert.Equal(seqs.Order(), seqs);
        await PollAsync(async () => (await http.GetFromJsonAsync<JsonElement>("/health", ct)).GetProperty("checks").GetProperty("database").GetProperty("status").GetString() == "pass", game);
        game.Terminate();
        await game.WaitForExitAsync(Deadline);
    }

    [Fact]
    public async Task InstanceKilledMidWrite_RestartedOnItsDataDir_NoAcknowledgedRecordLost()
    {
        await using var database = await PostgresServer.StartAsync();
        using var data = new TempFolder();
        var acknowledged = new ConcurrentBag<int>();
        await using (var game = Serve(database, data, "game-killed"))
        {
            using var http = SpacetimeProcess.CreateClient(await game.WaitForListeningPortAsync(Deadline));
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/scene", new { scene_path = "res://node_3d.tscn" }, CancellationToken.None);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(w);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // killed
                    }
                }
            })).ToList();
            await PollAsync(() => Task.FromResult(acknowledged.Count >= 40), game);
            System.Diagnostics.Process.GetProcessById(game.Id).Kill(); // SIGKILL mid-write
            await Task.WhenAll(writers);
            stop.Cancel();
        }

        await using var again = Serve(database, data, "game-killed");
        await again.WaitForListeningPortAsync(Deadline);
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM scene_history WHERE scene_path = 'res://node_3d.tscn'") >= acknowledged.Count, again);
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM audit_log WHERE result = 'SCENE_LOAD'") >= acknowledged.Count, again);
        again.Terminate();
        await again.WaitForExitAsync(Deadline);
    }

    [Fact]
    public async Task Manager_ItsOwnAuditRecordsReachTheDatabase_AndWaitInTheOutboxWhileItIsDown()
    {
        await using var database = await PostgresServer.StartAsync();
        using var data = new TempFolder();
        var port = LoopbackPort.Free();
        // No game: what reaches the database is the manager's own doing.
        await using var manager = SpacetimeProcess.Start(new Dictionary<string, string> { ["DATABASE_URL"] = database.Url },
            "manage", "--port", $"{port}", "--godot-port", $"{LoopbackPort.Free()}", "--data-dir", data.Path, "--no-autostart");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var ct = TestContext.Current.CancellationToken;
        await PollAsync(async () => await DatabaseCheckAsync(http) == "pass", manager);

        // A refused POST /restart (a manager-only endpoint, no token) is audited by the manager, and the record reaches PostgreSQL.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/restart", null, ct)).StatusCode);
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM audit_log WHERE endpoint = '/restart' AND result = 'AUTH_FAILURE'") == 1, manager);

        await database.StopAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/stop", null, ct)).StatusCode);
        await PollAsync(async () => await DatabaseCheckAsync(http) == "warn", manager);
        await database.StartAgainAsync();
        await PollAsync(async () => await database.CountAsync("SELECT COUNT(*) FROM audit_log WHERE endpoint = '/stop' AND result = 'AUTH_FAILURE'") == 1, manager);
        await PollAsync(async () => await DatabaseCheckAsync(http) == "pass", manager);
        manager.Terminate();
        await manager.WaitForExitAsync(Deadline);
    }

    /// <summary>The manager's <c>/health</c> <c>database</c> status; null while it is not listening yet.</summary>
    private static async Task<string?> DatabaseCheckAsync(HttpClient manager)
    {
        try
        {
            using var response = await manager.GetAsync("/health", TestContext.Current.CancellationToken);
            var health = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            return health.TryGetProperty("database", out var check) ? check.GetProperty("status").GetString() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static SpacetimeProcess Serve(PostgresServer database, TempFolder data, string instance) =>
        SpacetimeProcess.Start(
            new Dictionary<string, string> { ["DATABASE_URL"] = database.Url, ["SPACETIME_INSTANCE_ID"] = instance },
            "serve", "--http-port", "0", "--data-dir", data.Path);

    private static async Task PollAsync(Func<Task<bool>> done, params SpacetimeProcess[] processes)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await DoneAsync(done))
        {
            Assert.All(processes, p => Assert.False(p.HasExited, p.Output));
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {Deadline}:\n{string.Join("\n---\n", processes.Select(p => p.Output))}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A query of a table SpaceTime has not made yet (its first delivery makes them) counts as not done yet.</summary>
    private static async Task<bool> DoneAsync(Func<Task<bool>> done)
    {
        try
        {
            return await done();
        }
        catch (InvalidOperationException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return false;
        }
    }
}

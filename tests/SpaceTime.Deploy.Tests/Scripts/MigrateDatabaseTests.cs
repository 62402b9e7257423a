using System.Net.Http.Json;
using System.Text.Json;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Scripts;

/// <summary>migrate_database.sh on the database a real SpaceTime wrote, then SpaceTime started on the migrated data dir.</summary>
public sealed class MigrateDatabaseTests
{
    [Fact]
    public async Task Migrate_RealDatabase_AppliesTheBaselineOnceAndSpacetimeKeepsItsHistory()
    {
        using var data = new TempFolder();
        using var backups = new TempFolder();
        await using (var first = await RunningSpacetime.StartAsync(data.Path))
        {
            await first.StopAsync();
        }

        var before = await SqlAsync(data.Path, "SELECT COUNT(*) FROM scene_history;");
        Assert.Equal("pending  001_scene_history\n", (await MigrateAsync(data.Path, "--status")).StdOut);

        var migrate = await MigrateAsync(data.Path, "--backup-dir", backups.Path);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains("applied 001_scene_history", migrate.StdOut, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(backups.Path, "spacetime-premigration-*.tar.gz"));
        Assert.Equal(before, await SqlAsync(data.Path, "SELECT COUNT(*) FROM scene_history;"));
        Assert.Contains("is up to date", (await MigrateAsync(data.Path, "--no-backup")).StdOut, StringComparison.Ordinal);

        await using var second = await RunningSpacetime.StartAsync(data.Path);
        using var http = second.CreateClient();
        var history = await http.GetFromJsonAsync<JsonElement>("/godot/scene/history", TestContext.Current.CancellationToken);
        Assert.Equal(int.Parse(before, System.Globalization.CultureInfo.InvariantCulture) + 1, history.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Migrate_FailingMigration_IsRolledBackAndNotRecorded()
    {
        using var data = new TempFolder();
        using var migrations = new TempFolder();
        File.Copy(RepositoryPaths.Deploy("scripts", "migrations", "001_scene_history.sql"), Path.Combine(migrations.Path, "001_scene_history.sql"));
        await File.WriteAllTextAsync(Path.Combine(migrations.Path, "002_broken.sql"), "CREATE TABLE half_done (x);\nINSERT INTO no_such_table VALUES (1);\n", TestContext.Current.CancellationToken);

        var result = await MigrateAsync(data.Path, "--migrations", migrations.Path, "--no-backup");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("migration 002_broken failed and was rolled back", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("1", await SqlAsync(data.Path, "SELECT group_concat(version) FROM schema_migrations;"));
        Assert.Equal("0", await SqlAsync(data.Path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done';"));
    }

    [Fact]
    public async Task Migrate_DatabaseOfANewerSpacetime_IsRefused()
    {
        using var data = new TempFolder();
        Assert.Equal(0, (await MigrateAsync(data.Path, "--no-backup")).ExitCode);
        await SqlAsync(data.Path, "INSERT INTO schema_migrations VALUES (7, '007_from_the_future', '2030-01-01T00:00:00Z');");

        var result = await MigrateAsync(data.Path, "--no-backup");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("belongs to a newer SpaceTime", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_EmptyDataDir_ListsEverythingPendingAndWritesNothing()
    {
        using var data = new TempFolder();

        var status = await MigrateAsync(data.Path, "--status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal("pending  001_scene_history\n", status.StdOut);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Migrate_DatabaseUrl_AppliesThePostgresFilesOnceInTheSchemaMigrationsSpacetimeReads()
    {
        await using var database = await PostgresServer.StartAsync();
        // psql found first on PATH notes its arguments (what ps shows to every user) and runs the real one.
        using var wrapper = new TempFolder();
        var commandLines = Path.Combine(wrapper.Path, "argv.log");
        var psql = Tool.Require("psql", "apt-get install postgresql-client");
        File.WriteAllText(Path.Combine(wrapper.Path, "psql"), $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{commandLines}'\nexec '{psql}' \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(wrapper.Path, "psql"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var path = new Dictionary<string, string?> { ["PATH"] = $"{wrapper.Path}:{Environment.GetEnvironmentVariable("PATH")}" };

        var status = await Tool.ScriptAsync("migrate_database.sh", ["--database-url", database.Url, "--status"], path);
        var migrate = await Tool.ScriptAsync("migrate_database.sh", [$"--database-url={database.Url}"], path);
        var again = await Tool.ScriptAsync("migrate_database.sh", ["--database-url", database.Url], path);

        Assert.Equal("pending  001_records\n", status.StdOut);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains("applied 001_records", migrate.StdOut, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("applied", again.StdOut, StringComparison.Ordinal);
        Assert.Equal("1|001_records", await database.QueryAsync("SELECT version, name FROM schema_migrations"));
        Assert.Equal("0", await database.QueryAsync("SELECT COUNT(*) FROM scene_history"));
        Assert.DoesNotContain(PostgresServer.Password, migrate.ToString(), StringComparison.Ordinal);
        var psqlCommandLines = File.ReadAllText(commandLines);
        Assert.Contains("postgresql://spacetime@127.0.0.1:", psqlCommandLines, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, psqlCommandLines, StringComparison.Ordinal);
    }

    private static Task<ToolResult> MigrateAsync(string dataDir, params string[] args) =>
        Tool.ScriptAsync("migrate_database.sh", ["--data-dir", dataDir, .. args]);

    private static async Task<string> SqlAsync(string dataDir, string sql)
    {
        var result = await Tool.RunAsync(Tool.Require("sqlite3", "apt-get install sqlite3"), [Path.Combine(dataDir, "spacetime.db"), sql], null);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut.Trim();
    }
}

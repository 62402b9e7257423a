using System.Diagnostics;

namespace SpaceTime.Testing;

/// <summary>
/// A real PostgreSQL 15 in a temp dir on a free port, started by the test and stopped afterwards (trust auth, user
/// spacetime). initdb and pg_ctl refuse root, so they run as the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _root;

    private PostgresServer(string root, int port)
    {
        _root = root;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_root, "data");

    /// <summary>With a password in it, which trust auth ignores: it must never show up anywhere.</summary>
    public string Url => $"postgresql://spacetime:{Password}@127.0.0.1:{Port}/postgres";

    public const string Password = "pg-secret-6b1d9e4a";

    public static async Task<PostgresServer> StartAsync()
    {
        Assert.SkipUnless(File.Exists(Path.Combine(Bin, "initdb")), $"PostgreSQL 15 is not installed ({Bin}); ./test.sh installs it");
        var root = Directory.CreateTempSubdirectory("spacetime-pg-").FullName;
        await RunAsync("chown", "postgres", root);
        var server = new PostgresServer(root, LoopbackPort.Free());
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-D", server.DataDir, "-A", "trust", "-U", "spacetime");
        await server.StartAgainAsync();
        return server;
    }

    public Task StartAgainAsync() => RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", DataDir,
        "-o", $"-p {Port} -k /tmp -c listen_addresses=127.0.0.1", "-l", Path.Combine(_root, "log"), "-w", "start");

    public Task StopAsync() => RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", DataDir, "-m", "fast", "-w", "stop");

    /// <summary>Runs one query with psql (in database <paramref name="database"/>) and returns its unaligned output.</summary>
    public async Task<string> QueryAsync(string sql, string database = "postgres") =>
        (await RunAsync("psql", "-h", "127.0.0.1", "-p", $"{Port}", "-U", "spacetime", "-d", database, "-tAc", sql)).Trim();

    /// <summary>
    /// A superuser that must give <paramref name="password"/> over TCP (scram-sha-256), unlike the trusted spacetime: so a
    /// client that drops the password from its URL is refused.
    /// </summary>
    public async Task AddPasswordUserAsync(string user, string password)
    {
        await QueryAsync($"CREATE ROLE \"{user}\" LOGIN SUPERUSER PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'");
        await File.WriteAllTextAsync(Path.Combine(DataDir, "pg_hba.conf"), "local all all trust\nhost all spacetime 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        // A restart, not a reload: pg_ctl -w returns once the server accepts connections under the new rules.
        await StopAsync();
        await StartAgainAsync();
    }

    public async Task<long> CountAsync(string sql)
    {
        var text = await QueryAsync(sql);
        return long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", DataDir, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_root, recursive: true);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await errors}{await output}");
        }

        return await output;
    }
}

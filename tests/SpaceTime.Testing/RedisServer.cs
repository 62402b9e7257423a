using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SpaceTime.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian package) of the test's own: a free loopback port, a temp dir, no persistence.
/// It can be stopped and started again on the same port to play an outage.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("spacetime-redis-").FullName;
    private Process? _process;

    private readonly string? _password;

    private RedisServer(int port, string? password) => (Port, _password) = (port, password);

    public int Port { get; }

    public string Url => _password is null ? $"redis://127.0.0.1:{Port}" : $"redis://:{_password}@127.0.0.1:{Port}";

    /// <param name="password">When given, the server requires it (<c>requirepass</c>).</param>
    public static async Task<RedisServer> StartAsync(string? password = null)
    {
        var server = new RedisServer(LoopbackPort.Free(), password);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder, "--daemonize", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        if (_password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(_password);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server (apt-get install redis-server)");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner takes the rest.
        }
    }

}

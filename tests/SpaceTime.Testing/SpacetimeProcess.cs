using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SpaceTime.Testing;

/// <summary>The real <c>spacetime</c> executable run as a child process, with its output captured line by line.</summary>
public sealed partial class SpacetimeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private SpacetimeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _lines);

    /// <summary>The static admin token every started process accepts (set through API_TOKEN).</summary>
    public const string AdminToken = "cli-test-admin-token-5d2f8a1c4e7b0d3f6a9c2e5b8d1f";

    /// <summary>An HTTP client for the process's API that authenticates as admin.</summary>
    public static HttpClient CreateClient(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public static SpacetimeProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static SpacetimeProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "spacetime.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Settings must come from the arguments, not from the machine running the tests.
        foreach (var name in new[]
                 {
                     "HTTP_API_HOST", "HTTP_API_PORT", "GODOT_ENV", "GODOT_PROJECT_PATH", "SPACETIME_DATA_DIR", "SPACETIME_CONFIG_DIR",
                     "JWT_SECRET_KEY", "AUTH_REQUIRED", "ENABLE_RATE_LIMITING", "GODOT_ENABLE_HTTP_API", "METRICS_TOKEN", "DAP_PORT", "LSP_PORT",
                     "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "SPACETIME_PROXY_SECRET", "SPACETIME_PROXY_SOCKET", "ENVIRONMENT", "GODOT_LOG_LEVEL",
                 })
        {
            info.Environment.Remove(name);
        }

        info.Environment["API_TOKEN"] = AdminToken;
        // Parallel tests must not fight over the telemetry port, nor announce themselves.
        info.Environment["TELEMETRY_PORT"] = "0";
        info.Environment["DISCOVERY_PORT"] = "0";
        foreach (var (key, value) in environment)
        {
            // An empty value removes the variable.
            if (value.Length == 0)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        return new SpacetimeProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start spacetime"));
    }

    /// <summary>Whether a process lives (a zombie left to a PID 1 that does not reap counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Runs to completion and returns the exit code and all output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args) =>
        RunAsync(timeout, new Dictionary<string, string>(), args);

    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var process = Start(environment, args);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Output);
    }

    /// <summary>Waits for the "HTTP API listening on http://host:port" line and returns the port.</summary>
    public async Task<int> WaitForListeningPortAsync(TimeSpan timeout)
    {
        var line = await WaitForLineAsync(l => ListeningPattern().IsMatch(l), timeout);
        return int.Parse(ListeningPattern().Match(line).Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                break;
            }

            await Task.Delay(20);
        }

        return _lines.FirstOrDefault(match) ?? throw new TimeoutException($"expected output not seen within {timeout}. Output so far:\n{Output}");
    }

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"HTTP API listening on http://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningPattern();
}

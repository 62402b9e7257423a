using System.Collections.Concurrent;
using System.Diagnostics;

namespace SpaceTime.Deploy.Tests.Support;

/// <summary>A real long-running tool (Prometheus, Alertmanager, node exporter) for one test; killed on dispose, its output kept for failure messages.</summary>
internal sealed class BackgroundTool : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private BackgroundTool(Process process) => _process = process;

    public string Output => string.Join('\n', _output);

    public static BackgroundTool Start(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var tool = new BackgroundTool(Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start"));
        tool._process.OutputDataReceived += (_, e) => tool.Keep(e.Data);
        tool._process.ErrorDataReceived += (_, e) => tool.Keep(e.Data);
        tool._process.BeginOutputReadLine();
        tool._process.BeginErrorReadLine();
        return tool;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }
}

using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Bench;

/// <summary>
/// bench/http-load.sh, run in its short mode so it cannot rot: real nginx, manager, game, wrk, autocannon and Node's HTTP client on loopback.
/// A benchmark is not a timed test: this checks that every phase ran and produced figures, not how fast they were.
/// </summary>
public sealed class HttpLoadBenchmarkTests
{
    private static readonly string[] Rows =
    [
        "| (a) nginx static file | closed 64 conns |",
        "| (b) game direct | closed 64 conns |",
        "| (c) manager /godot | closed 64 conns |",
        "| (d) nginx > manager > game | closed 64 conns |",
        "| (a) nginx static file | users 100 x 1 req/s |",
        "| (b) game direct | users 100 x 1 req/s |",
        "| (c) manager /godot | users 100 x 1 req/s |",
        "| (d) nginx > manager > game | users 100 x 1 req/s |",
        "| (d) nginx > manager > game | herd 100 x 1 req/s |",
        "| d: GET /health (game's) | 100 req/s |",
        "| d: GET /status | 100 req/s |",
        "| d: GET /scene | 100 req/s |",
        "| d: POST /scene (developer) | 100 req/s |",
        "| spacetime up -> READY | median of 1 |",
    ];

    [Fact]
    public async Task HttpLoad_ShortMode_PrintsEveryRowWithFigures()
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "spacetime");
        Assert.True(File.Exists(exe), $"{exe} is missing (the Cli project's apphost)");

        var result = await Tool.RunAsync("bash", [RepositoryPaths.Path("bench", "http-load.sh"), "--short"], null,
            new Dictionary<string, string?> { ["SPACETIME_EXE"] = exe }, timeout: TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = result.StdOut.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.Equal("| path | load | req/s | p50 | p95 | p99 | errors | non-2xx | late/ticks / dropped | target | met |", table[0]);
        Assert.Equal(Rows.Length + 2, table.Count);
        foreach (var row in Rows)
        {
            var line = Assert.Single(table, l => l.StartsWith(row, StringComparison.Ordinal));
            // Every measured cell holds a number: no phase silently produced nothing.
            Assert.DoesNotContain("nan", line, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Matches(@"\| spacetime up -> READY \| median of 1 \| \| \d+ ms \|", result.StdOut);
        Assert.Contains("load average", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchScripts_ShellcheckFindsNothing()
    {
        var scripts = Directory.GetFiles(RepositoryPaths.Path("bench"), "*.sh").Order().ToList();
        Assert.Contains(scripts, s => s.EndsWith("http-load.sh", StringComparison.Ordinal));

        var result = await Tool.RunAsync(Tool.Require("shellcheck", "apt-get install shellcheck"), ["--external-sources", .. scripts], RepositoryPaths.Root);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}

using System.Diagnostics;
using System.Globalization;

namespace SpaceTime.Runtime.Tests.Metrics;

/// <summary>Reads the Prometheus text exposition format and checks it with the real <c>promtool</c>.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The sum of the samples named <paramref name="name"/> whose labels include every pair in <paramref name="labels"/>
    /// (<c>key="value"</c>); null when no sample matches.
    /// </summary>
    public static double? Value(string text, string name, params (string Key, string Value)[] labels)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var series = line[..space];
            var brace = series.IndexOf('{');
            var metric = brace < 0 ? series : series[..brace];
            if (metric != name || !labels.All(l => series.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                continue;
            }

            sum = (sum ?? 0) + double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return sum;
    }

    /// <summary>Fails the test unless <paramref name="name"/> has at least one sample; returns the sum.</summary>
    public static double Require(string text, string name, params (string Key, string Value)[] labels) =>
        Value(text, name, labels) ?? throw new Xunit.Sdk.XunitException(
            $"no sample of {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} in:\n{text}");

    /// <summary>Pipes <paramref name="text"/> into <c>promtool check metrics</c>; returns its exit code and all it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckWithPromtoolAsync(string text)
    {
        var info = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("metrics");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start promtool");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.StandardInput.WriteAsync(text);
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await stdout + await stderr).Trim());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    /// <summary>Fails the test unless <c>promtool check metrics</c> exits 0 without reporting a problem.</summary>
    public static async Task AssertPassesPromtoolAsync(string text)
    {
        var (code, output) = await CheckWithPromtoolAsync(text);
        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exited {code}: {output}");
    }
}

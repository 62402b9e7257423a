using System.Diagnostics;
using System.Text;

namespace SpaceTime.Deploy.Tests.Support;

internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    public string Output => StdOut + StdErr;

    public override string ToString() => $"exit {ExitCode}\n{StdOut}{StdErr}";
}

/// <summary>Runs the real validators. A missing tool fails the test and names the install step; it never skips.</summary>
internal static class Tool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The full path of <paramref name="name"/> on PATH (or /usr/sbin, /sbin); fails the test when it is not installed.</summary>
    public static string Require(string name, string install)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Select(dir => System.IO.Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Fail($"{name} is not installed: {install} (./test.sh installs it)");
        }

        return path;
    }

    /// <summary>The folder of an npm package in the tools folder; fails the test when test.sh has not installed it.</summary>
    public static string RequireNpm(string package, string version)
    {
        var folder = System.IO.Path.Combine(RepositoryPaths.NodeModules, package);
        if (!File.Exists(System.IO.Path.Combine(folder, "package.json")))
        {
            Assert.Fail($"npm package {package} is not in {RepositoryPaths.NodeModules}: run ./test.sh, or " +
                        $"npm install --prefix .tools --no-save {package}@{version} (set SPACETIME_TOOLS_DIR for another folder)");
        }

        return folder;
    }

    public static Task<ToolResult> RunAsync(string file, params string[] args) => RunAsync(file, args, null);

    public static async Task<ToolResult> RunAsync(
        string file,
        IEnumerable<string> args,
        string? workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? stdin = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var limit = timeout ?? DefaultTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {limit.TotalSeconds:F0} s. Output:\n{stdout}{stderr}");
        }

        process.WaitForExit(); // flushes the redirected output
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Debian's python3 with python3-jsonschema: validates a YAML/JSON document against a JSON schema (draft "7" or "2019-09").</summary>
    public static async Task<ToolResult> JsonSchemaAsync(string schema, string document, string draft)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || (await RunAsync(python, ["-c", "import jsonschema, yaml"], null)).ExitCode != 0)
        {
            Assert.Fail("/usr/bin/python3 with jsonschema and yaml is not installed: apt-get install python3-jsonschema python3-yaml (./test.sh installs it)");
        }

        return await RunAsync(python, [RepositoryPaths.TestFile("Support", "jsonschema_check.py"), schema, document, draft], null);
    }

    /// <summary>Runs a deploy/scripts script with bash.</summary>
    public static Task<ToolResult> ScriptAsync(string script, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunAsync("bash", [RepositoryPaths.Deploy("scripts", script), .. args], null, environment, null, timeout);

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is not null)
        {
            lock (builder)
            {
                builder.Append(line).Append('\n');
            }
        }
    }
}

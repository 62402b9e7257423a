using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Scripts;

/// <summary>deploy/scripts (and test.sh, which installs the validators) with shellcheck, and the scripts' command-line contract.</summary>
public sealed class ShellcheckTests
{
    public static TheoryData<string> Scripts => new(Directory.GetFiles(RepositoryPaths.Deploy("scripts"), "*.sh").Select(Path.GetFileName).Order()!);

    [Fact]
    public async Task Scripts_ShellcheckFindsNothing()
    {
        // The libraries the scripts source are checked too: shellcheck reads a sourced file but reports only on those it is given.
        var scripts = Directory.GetFiles(RepositoryPaths.Deploy("scripts"), "*.sh").Order()
            .Concat(Directory.GetFiles(RepositoryPaths.Deploy("scripts", "lib"), "*.bash").Order())
            .Append(RepositoryPaths.Path("test.sh"))
            .ToList();
        Assert.Equal(9, scripts.Count);

        var result = await Tool.RunAsync(Tool.Require("shellcheck", "apt-get install shellcheck"), ["--external-sources", .. scripts], null);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Shellcheck_KnownBadScript_IsFlagged()
    {
        using var temp = new TempFolder();
        var bad = Path.Combine(temp.Path, "bad.sh");
        await File.WriteAllTextAsync(bad, "#!/usr/bin/env bash\nrm -rf $1/*\ncd $dir\n", TestContext.Current.CancellationToken);

        var result = await Tool.RunAsync(Tool.Require("shellcheck", "apt-get install shellcheck"), [bad], null);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SC2086", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_IsStrictExecutableAndExplainsItself(string script)
    {
        var path = RepositoryPaths.Deploy("scripts", script);
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.StartsWith("#!/usr/bin/env bash\n", text, StringComparison.Ordinal);
        Assert.Contains("\nset -euo pipefail\n", text, StringComparison.Ordinal);
        Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");

        var help = await Tool.ScriptAsync(script, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: " + script, help.StdOut, StringComparison.Ordinal);

        var wrong = await Tool.ScriptAsync(script, ["--no-such-option"]);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--no-such-option", wrong.StdErr, StringComparison.Ordinal);
    }
}

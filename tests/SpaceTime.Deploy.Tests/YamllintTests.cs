using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests;

/// <summary>Every YAML file of deploy/ (Helm templates aside: they are Go templates) with `yamllint -s`.</summary>
public sealed class YamllintTests
{
    [Fact]
    public async Task DeployYaml_YamllintStrict_IsClean()
    {
        var result = await YamllintAsync(RepositoryPaths.Deploy());

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task YamllintStrict_DuplicateKey_Fails()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "bad.yml"), "a: 1\na: 2\n", TestContext.Current.CancellationToken);

        var result = await YamllintAsync(temp.Path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("duplication of key \"a\"", result.Output, StringComparison.Ordinal);
    }

    private static Task<ToolResult> YamllintAsync(string folder) =>
        Tool.RunAsync(Tool.Require("yamllint", "apt-get install yamllint"), ["-s", "-c", RepositoryPaths.Deploy(".yamllint.yml"), "."], folder);
}

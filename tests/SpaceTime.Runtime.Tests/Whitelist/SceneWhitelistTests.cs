using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Security;
using SpaceTime.Runtime.Whitelist;

namespace SpaceTime.Runtime.Tests.Whitelist;

/// <summary><see cref="SceneWhitelist.Check"/> against whitelist files written for each test.</summary>
public sealed class SceneWhitelistTests : IDisposable
{
    private const string Rules = """
        {
          "environments": {
            "staging": {
              "scenes": ["res://vr_main.tscn", "res://a/b/c.tscn"],
              "directories": ["res://tests/integration"],
              "wildcards": ["res://levels/**/*.tscn", "res://secret/*.tscn"]
            }
          },
          "blacklist": {
            "patterns": ["res://levels/**/wip_*.tscn"],
            "exact": ["res://secret/keys.tscn", "res://tests/integration/broken.tscn"]
          }
        }
        """;

    private readonly string _folder = RuntimeApiFixture.NewTempFolder("whitelist");

    private string File => Path.Combine(_folder, "scene_whitelist.json");

    [Theory]
    [InlineData("res://vr_main.tscn", true)]
    [InlineData("res://a/b/c.tscn", true)]
    [InlineData("res://a//b/./c.tscn", true)]
    [InlineData("res://a\\b\\c.tscn", true)]
    [InlineData("res://a/b/c.tscn.bak", false)]
    [InlineData("res://a/b/d.tscn", false)]
    [InlineData("res://tests/integration/x.tscn", true)]
    [InlineData("res://tests/integration/deep/er/x.tscn", true)]
    [InlineData("res://tests/integrationX/x.tscn", false)]
    [InlineData("res://tests/integration.tscn", false)]
    [InlineData("res://levels/x.tscn", true)]
    [InlineData("res://levels/w1/w2/x.tscn", true)]
    [InlineData("res://levels/w1/wip_x.tscn", false)]
    [InlineData("res://levels/wip_x.tscn", false)]
    [InlineData("res://secret/open.tscn", true)]
    [InlineData("res://secret/keys.tscn", false)]
    [InlineData("res://secret//./keys.tscn", false)]
    [InlineData("res://tests/integration/broken.tscn", false)]
    [InlineData("res://tests/debug.tscn", false)]
    [InlineData("res://levels/../secret/keys.tscn", false)]
    [InlineData("res://tests/integration/../../vr_main.tscn", false)]
    [InlineData("/etc/passwd.tscn", false)]
    [InlineData("res://vr_main.tres", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Check_StagingRules_AllowsExactlyWhatTheyList(string? path, bool allowed)
    {
        var whitelist = Write(Rules, "staging");

        var decision = whitelist.Check(path);

        Assert.True(allowed == decision.Allowed, $"{path}: {decision.Reason}");
    }

    [Fact]
    public void Check_PathLongerThan256_Refused()
    {
        var whitelist = Write("""{"environments":{"test":{"directories":["res://"]}}}""", "test");
        var longest = "res://" + new string('a', 245) + ".tscn";
        var tooLong = "res://" + new string('a', 246) + ".tscn";

        Assert.Equal(256, longest.Length);
        Assert.True(whitelist.Check(longest).Allowed);
        Assert.False(whitelist.Check(tooLong).Allowed);
        Assert.Contains("256", whitelist.Check(tooLong).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NotWhitelisted_ReasonNamesEnvironment()
    {
        var decision = Write(Rules, "staging").Check("res://tests/debug.tscn");

        Assert.Contains("'staging'", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoEntryForProduction_OnlyMainScene()
    {
        var whitelist = Write("""{"environments":{}}""", "production");

        Assert.True(whitelist.Check("res://vr_main.tscn").Allowed);
        Assert.False(whitelist.Check("res://scenes/menu.tscn").Allowed);
        Assert.False(whitelist.Check("res://tests/debug.tscn").Allowed);
    }

    [Fact]
    public void Check_NoFileAtAll_ProductionClosedOthersOpen()
    {
        var missing = Path.Combine(_folder, "missing.json");

        Assert.False(new SceneWhitelist(missing, "production").Check("res://tests/debug.tscn").Allowed);
        Assert.True(new SceneWhitelist(missing, "production").Check("res://vr_main.tscn").Allowed);
        Assert.True(new SceneWhitelist(missing, "development").Check("res://tests/debug.tscn").Allowed);
    }

    [Fact]
    public void Check_ShippedFileInProduction_OnlyMainScene()
    {
        var whitelist = new SceneWhitelist(Path.Combine(AppContext.BaseDirectory, "config", "scene_whitelist.json"), "production");

        Assert.True(whitelist.Check("res://vr_main.tscn").Allowed);
        Assert.False(whitelist.Check("res://tests/debug.tscn").Allowed);
        Assert.False(whitelist.Check("res://scenes/menu.tscn").Allowed);
        Assert.False(whitelist.Check("res://node_3d.tscn").Allowed);
    }

    [Fact]
    public void Reload_BrokenFile_ThrowsAndKeepsRules()
    {
        var whitelist = Write(Rules, "staging");
        System.IO.File.WriteAllText(File, """{"environments":{"staging":{"scenes":["res://../x.tscn"]}}}""");

        var e = Assert.Throws<SecurityConfigurationException>(whitelist.Reload);

        Assert.Equal("environments.staging.scenes", e.Key);
        Assert.True(whitelist.Check("res://a/b/c.tscn").Allowed);
        Assert.False(whitelist.Check("res://tests/debug.tscn").Allowed);
    }

    [Theory]
    [InlineData("""{"environments":{"staging":{"scenes":[],"extra":true}}}""")]
    [InlineData("""{"environments":{"staging":{"wildcards":["levels/*.tscn"]}}}""")]
    [InlineData("""{"blacklist":{"patterns":["res://../**"]}}""")]
    [InlineData("[]")]
    public void Constructor_InvalidFile_Throws(string text)
    {
        Assert.Throws<SecurityConfigurationException>(() => Write(text, "staging"));
    }

    [Property(MaxTest = 200)]
    public Property Check_BlacklistedScene_RefusedWhateverElseAllowsIt() =>
        Prop.ForAll(Gen.Elements("a", "b", "levels", "x y", "é").ArrayOf().Where(s => s.Length is > 0 and < 5).ToArbitrary(), segments =>
        {
            var scene = "res://" + string.Join('/', segments) + ".tscn";
            var whitelist = Write($$$"""
                {"environments":{"test":{"scenes":["{{{scene}}}"],"directories":["res://"],"wildcards":["res://**"]}},
                 "blacklist":{"exact":["{{{scene}}}"]}}
                """, "test");
            var spelledOddly = scene.Replace("res://", "res://./", StringComparison.Ordinal).Replace("/", "//", StringComparison.Ordinal).Replace("res:////", "res://", StringComparison.Ordinal);
            return !whitelist.Check(scene).Allowed && !whitelist.Check(spelledOddly).Allowed;
        });

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Constructor_TypoInAKey_NamesTheKeyAndTheKnownOne()
    {
        var e = Assert.Throws<SecurityConfigurationException>(() => Write("""{"environments":{"staging":{"secnes":["res://vr_main.tscn"]}}}""", "staging"));

        Assert.Equal(File, e.ConfigSource);
        Assert.Equal("environments.staging.secnes", e.Key);
        Assert.EndsWith("unknown key (did you mean 'scenes'?)", e.Message, StringComparison.Ordinal);
    }

    private SceneWhitelist Write(string text, string environment)
    {
        System.IO.File.WriteAllText(File, text);
        return new SceneWhitelist(File, environment);
    }
}

using FsCheck;
using FsCheck.Fluent;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Tests.Manifest;

public sealed class SemanticVersionTests
{
    [Theory]
    [InlineData("0.0.0")]
    [InlineData("1.2.3")]
    [InlineData("2.5.0")]
    [InlineData("10.20.30")]
    [InlineData("1.0.0-alpha")]
    [InlineData("1.0.0-alpha.1")]
    [InlineData("1.0.0-0.3.7")]
    [InlineData("1.0.0-x.7.z.92")]
    [InlineData("1.0.0-alpha+001")]
    [InlineData("1.0.0+20130313144700")]
    [InlineData("1.0.0-beta+exp.sha.5114f85")]
    [InlineData("1.0.0-x-y-z.--")]
    public void Parse_SemverOrgExamples_Accepted(string text) => Assert.Equal(text, SemanticVersion.Parse(text).Text);

    [Theory]
    [InlineData("1.2", "three numbers")]
    [InlineData("1", "three numbers")]
    [InlineData("1.2.3.4", "three numbers")]
    [InlineData("v1.2.3", "leading 'v'")]
    [InlineData("V1.2.3", "leading 'v'")]
    [InlineData("01.2.3", "leading zeros")]
    [InlineData("1.02.3", "leading zeros")]
    [InlineData("1.2.03", "leading zeros")]
    [InlineData("1.2.3-01", "pre-release")]
    [InlineData("1.2.3-", "pre-release")]
    [InlineData("1.2.3+", "pre-release or build")]
    [InlineData("1.2.3-a..b", "pre-release")]
    [InlineData("", "empty")]
    [InlineData(" 1.2.3", "white space")]
    [InlineData("1.2.3\n", "white space")]
    [InlineData("1.a.3", "must be numbers")]
    [InlineData("1.2.٣", "must be numbers")]
    public void Parse_NotSemver_ThrowsNamingTheVersionAndTheReason(string text, string reason)
    {
        var error = Assert.Throws<PackagingException>(() => SemanticVersion.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(SemanticVersion.TryParse(text, out _));
    }

    private static Gen<string> Number => Gen.OneOf(Gen.Constant("0"), Gen.Choose(1, 99999).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static Gen<string> Identifier => Gen.OneOf(Number, Gen.Elements("alpha", "beta", "rc", "x-y", "0a", "-", "build5"));

    private static Arbitrary<string> Versions() =>
        (from major in Number
         from minor in Number
         from patch in Number
         from pre in Gen.OneOf(Gen.Constant(""), Identifier.NonEmptyListOf().Select(l => "-" + string.Join('.', l)))
         from build in Gen.OneOf(Gen.Constant(""), Gen.Elements("001", "sha.5114f85", "exp").NonEmptyListOf().Select(l => "+" + string.Join('.', l)))
         select $"{major}.{minor}.{patch}{pre}{build}").ToArbitrary();

    [FsCheck.Xunit.Property]
    public Property Parse_AnyGeneratedVersion_RoundTrips() =>
        Prop.ForAll(Versions(), text => SemanticVersion.Parse(text).ToString() == text);

    [FsCheck.Xunit.Property]
    public Property Parse_AnyVersionWithALeadingZeroMajor_Rejected() =>
        Prop.ForAll(Versions(), text => !SemanticVersion.TryParse("0" + text, out _));

    [FsCheck.Xunit.Property]
    public Property Parse_AnyVersionWithAVPrefix_Rejected() =>
        Prop.ForAll(Versions(), text => !SemanticVersion.TryParse("v" + text, out _));

    [FsCheck.Xunit.Property]
    public Property Parse_AnyVersionMissingItsPatch_Rejected() =>
        Prop.ForAll(Versions(), text => !SemanticVersion.TryParse(string.Join('.', text.Split('-', '+')[0].Split('.')[..2]), out _));
}

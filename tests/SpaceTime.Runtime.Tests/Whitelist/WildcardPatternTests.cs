using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Runtime.Whitelist;

namespace SpaceTime.Runtime.Tests.Whitelist;

/// <summary><c>*</c> matches within one path segment; <c>**</c> as a segment matches any number of segments, none included.</summary>
public sealed class WildcardPatternTests
{
    private static readonly char[] SegmentChars = "abcxyz019._- é".ToCharArray();

    /// <summary>Path segments: non-empty, no '/' and no '*'.</summary>
    private static Gen<string> Segment() =>
        Gen.Elements(SegmentChars).ArrayOf().Where(c => c.Length is > 0 and < 8).Select(c => new string(c));

    private static Gen<string[]> Segments(int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Segment().ArrayOf(n));

    private static Arbitrary<string[]> SegmentsArbitrary(int min = 0, int max = 6) => Segments(min, max).ToArbitrary();

    private static string Res(IEnumerable<string> segments) => "res://" + string.Join('/', segments);

    [Theory]
    [InlineData("res://tests/integration/**/*.tscn", "res://tests/integration/a.tscn", true)]
    [InlineData("res://tests/integration/**/*.tscn", "res://tests/integration/a/b/c.tscn", true)]
    [InlineData("res://tests/integration/**/*.tscn", "res://tests/integration/a/b/c.tres", false)]
    [InlineData("res://tests/integration/**/*.tscn", "res://tests/other/a.tscn", false)]
    [InlineData("res://levels/*.tscn", "res://levels/a.tscn", true)]
    [InlineData("res://levels/*.tscn", "res://levels/sub/a.tscn", false)]
    [InlineData("res://levels/*/boss.tscn", "res://levels/w1/boss.tscn", true)]
    [InlineData("res://levels/*/boss.tscn", "res://levels/boss.tscn", false)]
    [InlineData("res://levels/*/boss.tscn", "res://levels/w1/w2/boss.tscn", false)]
    [InlineData("res://**", "res://", true)]
    [InlineData("res://**/debug*.tscn", "res://debug.tscn", true)]
    [InlineData("res://**/debug*.tscn", "res://a/b/debug_room.tscn", true)]
    [InlineData("res://**/**/x.tscn", "res://x.tscn", true)]
    [InlineData("res://a/**/b/**/c.tscn", "res://a/b/c.tscn", true)]
    [InlineData("res://a/**/b/**/c.tscn", "res://a/x/y/b/z/c.tscn", true)]
    [InlineData("res://a/**/b/**/c.tscn", "res://a/x/c.tscn", false)]
    [InlineData("res://*x*y.tscn", "res://axbxy.tscn", true)]
    [InlineData("res://*x*y.tscn", "res://ay.tscn", false)]
    public void Matches_Examples(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, WildcardPattern.Matches(pattern, path));
    }

    [Property(MaxTest = 300)]
    public Property DoubleStarUnderRes_MatchesEveryPath() =>
        Prop.ForAll(SegmentsArbitrary(), segments => WildcardPattern.Matches("res://**", Res(segments)));

    [Property(MaxTest = 300)]
    public Property PatternEqualToPath_Matches() =>
        Prop.ForAll(SegmentsArbitrary(1), segments => WildcardPattern.Matches(Res(segments), Res(segments)));

    [Property(MaxTest = 300)]
    public Property SingleStar_NeverCrossesSlash() =>
        Prop.ForAll(SegmentsArbitrary(1), segments => WildcardPattern.Matches("res://*", Res(segments)) == (segments.Length == 1));

    [Property(MaxTest = 300)]
    public Property StarForOneSegment_MatchesOnlyThatDepth() =>
        Prop.ForAll(SegmentsArbitrary(1), Gen.Choose(0, 100).ToArbitrary(), SegmentsArbitrary(1, 2), (segments, index, extra) =>
        {
            var i = index % segments.Length;
            var pattern = Res(segments.Select((s, k) => k == i ? "*" : s));
            var deeper = segments.Take(i).Concat(extra).Concat(segments.Skip(i + 1));
            return WildcardPattern.Matches(pattern, Res(segments))
                   && WildcardPattern.Matches(pattern, Res(deeper)) == (extra.Length == 1);
        });

    [Property(MaxTest = 300)]
    public Property DoubleStarInserted_MatchesAnyNumberOfExtraSegments() =>
        Prop.ForAll(SegmentsArbitrary(1), Gen.Choose(0, 100).ToArbitrary(), SegmentsArbitrary(0, 4), (segments, index, extra) =>
        {
            var i = index % (segments.Length + 1);
            var pattern = Res(segments.Take(i).Append("**").Concat(segments.Skip(i)));
            var path = Res(segments.Take(i).Concat(extra).Concat(segments.Skip(i)));
            return WildcardPattern.Matches(pattern, path);
        });

    [Property(MaxTest = 300)]
    public Property PatternWithoutWildcards_MatchesOnlyItself() =>
        Prop.ForAll(SegmentsArbitrary(1), SegmentsArbitrary(1), (a, b) =>
            WildcardPattern.Matches(Res(a), Res(b)) == (Res(a) == Res(b)));
}

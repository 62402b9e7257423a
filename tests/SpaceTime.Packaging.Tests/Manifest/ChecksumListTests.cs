using System.Text;
using SpaceTime.Packaging.Manifest;

namespace SpaceTime.Packaging.Tests.Manifest;

public sealed class ChecksumListTests
{
    [Fact]
    public void Write_SortsByPathWithTwoSpaces()
    {
        var text = Encoding.UTF8.GetString(ChecksumList.Write([new("z.txt", new string('1', 64)), new("a/b.txt", new string('2', 64))]));

        Assert.Equal($"{new string('2', 64)}  a/b.txt\n{new string('1', 64)}  z.txt\n", text);
    }

    [Fact]
    public void Parse_WhatWriteWrote_GivesTheEntriesBack()
    {
        ChecksumEntry[] entries = [new("a/b c.txt", new string('2', 64)), new("z.txt", new string('f', 64))];
        var problems = new List<string>();

        var parsed = ChecksumList.Parse(Encoding.UTF8.GetString(ChecksumList.Write(entries)), problems);

        Assert.Empty(problems);
        Assert.Equal(entries, parsed);
    }

    [Theory]
    [InlineData("abc  file\n", "line 1")]
    [InlineData("{0} file\n", "line 1")]
    [InlineData("{0}  ../escape\n", "line 1")]
    [InlineData("{0}  /etc/passwd\n", "line 1")]
    [InlineData("{0}  ok\n{0}  ok\n", "line 2 lists ok a second time")]
    [InlineData("{0}  ok", "does not end with a newline")]
    public void Parse_MalformedLine_NamesIt(string template, string expected)
    {
        var problems = new List<string>();

        ChecksumList.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('a', 64)), problems);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UpperCaseDigest_IsMalformed()
    {
        var problems = new List<string>();

        ChecksumList.Parse($"{new string('A', 64)}  file\n", problems);

        Assert.Single(problems);
    }
}

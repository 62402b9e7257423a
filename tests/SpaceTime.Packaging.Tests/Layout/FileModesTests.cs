using System.Text;
using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Layout;

public sealed class FileModesTests
{
    [Theory]
    [InlineData("scripts/deployment/deploy.sh", "echo", "0755")]
    [InlineData("monitoring/reload", "#!/bin/sh", "0755")]
    [InlineData("binaries/spacetime", "\u007fELF", "0755")]
    [InlineData("binaries/spacetime.dll", "MZ\u0090\u0000", "0644")]
    [InlineData("docs/README.md", "# Readme", "0644")]
    [InlineData("binaries/empty", "", "0644")]
    public void For_NameAndFirstBytes_DecideTheMode(string path, string head, string mode) =>
        Assert.Equal(mode, FileModes.Octal(FileModes.For(path, Encoding.Latin1.GetBytes(head))));
}

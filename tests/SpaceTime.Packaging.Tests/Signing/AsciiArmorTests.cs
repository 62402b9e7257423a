using System.Text;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Tests.Signing;

public sealed class AsciiArmorTests
{
    private static readonly byte[] Data = [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 7))];

    [Fact]
    public void Write_ThenRead_GivesTheDataBack()
    {
        var armored = AsciiArmor.Write(AsciiArmor.Signature, Data);

        Assert.Equal(Data, AsciiArmor.Read(armored, AsciiArmor.Signature));
        var lines = Encoding.ASCII.GetString(armored).Split('\n');
        Assert.Equal("-----BEGIN PGP SIGNATURE-----", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.All(lines[2..^4], l => Assert.Equal(64, l.Length));
        Assert.InRange(lines[^4].Length, 1, 64);
        Assert.StartsWith("=", lines[^3], StringComparison.Ordinal);
        Assert.Equal("-----END PGP SIGNATURE-----", lines[^2]);
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public void Read_ArmorHeaders_AreAllowedAsGpgAllows()
    {
        var text = Encoding.ASCII.GetString(AsciiArmor.Write(AsciiArmor.Signature, Data)).Replace("-----\n\n", "-----\nVersion: GnuPG v2\nComment: release\n\n", StringComparison.Ordinal);

        Assert.Equal(Data, AsciiArmor.Read(Encoding.ASCII.GetBytes(text), AsciiArmor.Signature));
    }

    [Theory]
    [InlineData("crc", "CRC-24")]
    [InlineData("label", "-----BEGIN PGP SIGNATURE-----")]
    [InlineData("crlf", "not printable ASCII")]
    [InlineData("no-newline", "newline")]
    [InlineData("no-blank", "blank line")]
    [InlineData("trailing-bits", "not canonical")]
    public void Read_DamagedArmor_SaysWhatIsWrong(string damage, string expected)
    {
        var text = Encoding.ASCII.GetString(AsciiArmor.Write(AsciiArmor.Signature, [1, 2, 3, 4]));
        var lines = text.Split('\n');
        text = damage switch
        {
            "crc" => text.Replace(lines[3], "=AAAA", StringComparison.Ordinal),
            "label" => text.Replace("BEGIN PGP SIGNATURE", "BEGIN PGP MESSAGE", StringComparison.Ordinal),
            "crlf" => text.Replace("\n", "\r\n", StringComparison.Ordinal),
            "no-newline" => text[..^1],
            "no-blank" => text.Replace("-----\n\n", "-----\n", StringComparison.Ordinal),
            // "AQIDBA==" encodes 01 02 03 04; "AQIDBB==" decodes to the same bytes in .NET (unused low bits differ).
            "trailing-bits" => text.Replace("AQIDBA==", "AQIDBB==", StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        var error = Assert.Throws<FormatException>(() => AsciiArmor.Read(Encoding.ASCII.GetBytes(text), AsciiArmor.Signature));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

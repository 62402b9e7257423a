using System.Text;

namespace SpaceTime.Packaging.Signing;

/// <summary>
/// OpenPGP ASCII armor (RFC 9580 §6.2) in the exact form gpg writes: BEGIN line, blank line, base64 in 64-column lines,
/// "=" CRC-24 line, END line, each ending in '\n'. Reading is strict so that no changed byte goes unnoticed.
/// </summary>
public static class AsciiArmor
{
    public const string Signature = "PGP SIGNATURE";
    public const string PublicKey = "PGP PUBLIC KEY BLOCK";
    public const string PrivateKey = "PGP PRIVATE KEY BLOCK";

    public static byte[] Write(string label, ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder().Append("-----BEGIN ").Append(label).Append("-----\n\n");
        var base64 = Convert.ToBase64String(data);
        for (var i = 0; i < base64.Length; i += 64)
        {
            text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        }

        text.Append('=').Append(Crc24Base64(data)).Append('\n');
        text.Append("-----END ").Append(label).Append("-----\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The data inside one armored block.</summary>
    /// <exception cref="FormatException">The text is not one canonical armored block of <paramref name="label"/>; the message says what is wrong.</exception>
    public static byte[] Read(ReadOnlySpan<byte> armored, string label)
    {
        for (var at = 0; at < armored.Length; at++)
        {
            if (armored[at] is (< 0x20 and not (byte)'\n') or >= 0x7F)
            {
                throw new FormatException($"byte {at} is not printable ASCII (line ends must be LF only)");
            }
        }

        var text = Encoding.ASCII.GetString(armored);
        if (!text.EndsWith('\n'))
        {
            throw new FormatException("it does not end with a newline");
        }

        var lines = text[..^1].Split('\n');
        if (lines[0] != $"-----BEGIN {label}-----")
        {
            throw new FormatException($"the first line is not -----BEGIN {label}-----");
        }

        if (lines[^1] != $"-----END {label}-----")
        {
            throw new FormatException($"the last line is not -----END {label}-----");
        }

        // Armor headers ("Version: ...", "Comment: ...") are allowed, as gpg allows them, up to the blank line.
        var i = 1;
        for (; i < lines.Length - 1 && lines[i].Length > 0; i++)
        {
            if (!lines[i].Contains(": ", StringComparison.Ordinal))
            {
                throw new FormatException($"line {i + 1} is neither an armor header nor the blank line that ends them");
            }
        }

        if (i >= lines.Length - 1)
        {
            throw new FormatException("the blank line before the data is missing");
        }

        var body = lines[(i + 1)..^1];
        string? crc = null;
        if (body.Length > 0 && body[^1].StartsWith('='))
        {
            crc = body[^1][1..];
            body = body[..^1];
        }

        if (body.Length == 0 || body.Any(l => l.Length is 0 or > 76))
        {
            throw new FormatException("the base64 data is missing or has an empty or over-long line");
        }

        var base64 = string.Concat(body);
        byte[] data;
        try
        {
            data = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException("the data is not valid base64");
        }

        // .NET ignores the unused low bits of the last base64 character; re-encoding catches a change there.
        if (Convert.ToBase64String(data) != base64)
        {
            throw new FormatException("the base64 data is not canonical");
        }

        if (crc is not null && crc != Crc24Base64(data))
        {
            throw new FormatException("the CRC-24 checksum line does not match the data");
        }

        return data;
    }

    private static string Crc24Base64(ReadOnlySpan<byte> data)
    {
        var crc = 0xB704CE;
        foreach (var b in data)
        {
            crc ^= b << 16;
            for (var bit = 0; bit < 8; bit++)
            {
                crc <<= 1;
                if ((crc & 0x1000000) != 0)
                {
                    crc ^= 0x1864CFB;
                }
            }
        }

        return Convert.ToBase64String([(byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }
}

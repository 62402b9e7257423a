using System.Security.Cryptography;

namespace SpaceTime.Packaging.Manifest;

/// <summary>SHA-256 digests as lower-case hex, the form <c>sha256sum</c> prints.</summary>
public static class FileDigest
{
    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static bool IsSha256Hex(string text) => text.Length == 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}

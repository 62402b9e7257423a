using System.Text;
using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Tests.Signing;

public sealed class ReleaseSigningKeyTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] Data = "abc  file\n"u8.ToArray();

    private static string WriteKey(TempFolder temp, string? passphrase, out GeneratedKey key)
    {
        key = ReleaseKeyGenerator.Generate("Release", "release@example.org", passphrase, Created);
        return ReleaseKeyFiles.Write(temp.Path, key, overwrite: false).SecretFile;
    }

    [Fact]
    public void Keygen_WritesSecretKeyOwnerOnlyAndPublicKeyArmored()
    {
        using var temp = new TempFolder();

        var (secret, @public) = ReleaseKeyFiles.Write(temp.Path, ReleaseKeyGenerator.Generate("Release", "release@example.org", null, Created), overwrite: false);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.StartsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----\n", File.ReadAllText(secret), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----\n", File.ReadAllText(@public), StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_ExistingKeyFiles_AreNotReplacedWithoutForce()
    {
        using var temp = new TempFolder();
        WriteKey(temp, null, out var first);

        var error = Assert.Throws<PackagingException>(() => ReleaseKeyFiles.Write(temp.Path, ReleaseKeyGenerator.Generate("Other", "o@example.org", null, Created), overwrite: false));

        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Fingerprint, ReleaseSigningKey.Load(Path.Combine(temp.Path, ReleaseKeyFiles.SecretFileName), null).Fingerprint);
    }

    [Fact]
    public void Sign_ThenVerifyWithThePublicKey_IsGood_AndDeterministic()
    {
        using var temp = new TempFolder();
        var key = ReleaseSigningKey.Load(WriteKey(temp, null, out var generated), null);

        var signature = key.SignDetached(Data, Created.AddDays(1));

        var check = SignatureVerifier.Verify(Data, signature, TrustedKeys.Parse(generated.PublicKey, "test"));
        Assert.True(check.IsValid, check.Message);
        Assert.Equal(generated.Fingerprint, check.SignerFingerprint);
        Assert.Equal(signature, key.SignDetached(Data, Created.AddDays(1)));
        Assert.Equal(generated.PublicKey, key.ExportPublicKey());
    }

    [Fact]
    public void Sign_TimeBeforeTheKeyExisted_UsesTheKeysCreationTime()
    {
        using var temp = new TempFolder();
        var key = ReleaseSigningKey.Load(WriteKey(temp, null, out var generated), null);

        var check = SignatureVerifier.Verify(Data, key.SignDetached(Data, Created.AddYears(-3)), TrustedKeys.Parse(generated.PublicKey, "test"));

        Assert.True(check.IsValid, check.Message);
        Assert.Contains(Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ChangedData_OrAnotherKey_IsInvalid()
    {
        using var temp = new TempFolder();
        var key = ReleaseSigningKey.Load(WriteKey(temp, null, out var generated), null);
        var signature = key.SignDetached(Data, Created);
        var other = ReleaseKeyGenerator.Generate("Other", "other@example.org", null, Created);

        var changed = SignatureVerifier.Verify("abd  file\n"u8, signature, TrustedKeys.Parse(generated.PublicKey, "test"));
        var wrongKey = SignatureVerifier.Verify(Data, signature, TrustedKeys.Parse(other.PublicKey, "other.asc"));

        Assert.False(changed.IsValid);
        Assert.Contains("does not match the data", changed.Message, StringComparison.Ordinal);
        Assert.False(wrongKey.IsValid);
        Assert.Contains(generated.Fingerprint[^16..], wrongKey.Message, StringComparison.Ordinal);
        Assert.Contains("not a trusted key", wrongKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DigestPrefixChanged_IsInvalid_ThoughTheSignatureValueStillMatches()
    {
        using var temp = new TempFolder();
        var key = ReleaseSigningKey.Load(WriteKey(temp, null, out var generated), null);
        var packet = AsciiArmor.Read(key.SignDetached(Data, Created), AsciiArmor.Signature);
        // v4 signature packet, old-format header with a one-byte length: tag, length, version, type, key and hash algorithms,
        // hashed subpackets (2-byte length), unhashed subpackets (2-byte length), then the two-byte digest prefix.
        Assert.Equal(0x88, packet[0]);
        var hashed = (packet[6] << 8) | packet[7];
        var unhashed = (packet[8 + hashed] << 8) | packet[9 + hashed];
        packet[10 + hashed + unhashed] ^= 0x01;

        var check = SignatureVerifier.Verify(Data, AsciiArmor.Write(AsciiArmor.Signature, packet), TrustedKeys.Parse(generated.PublicKey, "test"));

        Assert.False(check.IsValid);
        Assert.Contains("does not match", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithTheRightPassphrase_Unlocks()
    {
        using var temp = new TempFolder();

        var key = ReleaseSigningKey.Load(WriteKey(temp, "correct horse", out var generated), "correct horse");

        Assert.Equal(generated.Fingerprint, key.Fingerprint);
    }

    [Theory]
    [InlineData(null, "--passphrase-file")]
    [InlineData("wrong", "wrong passphrase")]
    public void Load_ProtectedKeyWithoutOrWithAWrongPassphrase_SaysSo(string? passphrase, string expected)
    {
        using var temp = new TempFolder();
        var file = WriteKey(temp, "correct horse", out _);

        var error = Assert.Throws<SigningKeyException>(() => ReleaseSigningKey.Load(file, passphrase));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnusableFiles_NameTheFileAndTheReason()
    {
        using var temp = new TempFolder();
        WriteKey(temp, null, out _);
        var garbage = temp.Combine("garbage.asc");
        File.WriteAllText(garbage, "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnot a key\n-----END PGP PRIVATE KEY BLOCK-----\n");
        var publicKey = temp.Combine(ReleaseKeyFiles.PublicFileName);

        Assert.Contains("does not exist", Assert.Throws<SigningKeyException>(() => ReleaseSigningKey.Load(temp.Combine("missing.asc"), null)).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read", Assert.Throws<SigningKeyException>(() => ReleaseSigningKey.Load(temp.Path, null)).Message, StringComparison.Ordinal);
        Assert.Contains($"{garbage} is not an OpenPGP secret key", Assert.Throws<SigningKeyException>(() => ReleaseSigningKey.Load(garbage, null)).Message, StringComparison.Ordinal);
        Assert.Contains("holds a public key", Assert.Throws<SigningKeyException>(() => ReleaseSigningKey.Load(publicKey, null)).Message, StringComparison.Ordinal);
        Assert.Contains("not an OpenPGP public key", Assert.Throws<SigningKeyException>(() => TrustedKeys.Parse(Encoding.ASCII.GetBytes("junk"), "junk.asc")).Message, StringComparison.Ordinal);
    }
}

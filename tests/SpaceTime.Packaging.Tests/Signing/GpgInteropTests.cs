using SpaceTime.Packaging.Signing;

namespace SpaceTime.Packaging.Tests.Signing;

/// <summary>Keys and signatures checked by the real gpg (2.2 on Debian 12), in both directions.</summary>
public sealed class GpgInteropTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public async Task GpgVerify_OurSignature_WithOurExportedPublicKey_IsGood()
    {
        using var temp = new TempFolder();
        await using var gpg = new Gpg();
        var generated = ReleaseKeyGenerator.Generate("Release", "release@example.org", null, Created);
        var (secret, @public) = ReleaseKeyFiles.Write(temp.Path, generated, overwrite: false);
        File.WriteAllText(temp.Combine("SHA256SUMS"), $"{new string('a', 64)}  file\n");
        File.WriteAllBytes(temp.Combine("SHA256SUMS.asc"), ReleaseSigningKey.Load(secret, null).SignDetached(File.ReadAllBytes(temp.Combine("SHA256SUMS")), Created));

        var import = await gpg.RunAsync("--import", @public);
        var verify = await gpg.RunAsync("--status-fd", "1", "--verify", temp.Combine("SHA256SUMS.asc"), temp.Combine("SHA256SUMS"));

        Assert.True(import.ExitCode == 0, import.Output);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"[GNUPG:] VALIDSIG {generated.Fingerprint}", verify.StandardOutput, StringComparison.Ordinal);

        File.AppendAllText(temp.Combine("SHA256SUMS"), "tampered\n");
        var tampered = await gpg.RunAsync("--verify", temp.Combine("SHA256SUMS.asc"), temp.Combine("SHA256SUMS"));
        Assert.NotEqual(0, tampered.ExitCode);
    }

    [Fact]
    public async Task GpgImport_OurPassphraseProtectedSecretKey_ThenItsSignature_VerifiesWithUs()
    {
        using var temp = new TempFolder();
        await using var gpg = new Gpg();
        var generated = ReleaseKeyGenerator.Generate("Release", "release@example.org", "correct horse", Created);
        var (secret, _) = ReleaseKeyFiles.Write(temp.Path, generated, overwrite: false);
        File.WriteAllText(temp.Combine("SHA256SUMS"), $"{new string('b', 64)}  file\n");

        var import = await gpg.RunAsync("--passphrase", "correct horse", "--import", secret);
        var sign = await gpg.RunAsync("--passphrase", "correct horse", "--local-user", generated.Fingerprint, "--armor", "--detach-sign", "--output", temp.Combine("SHA256SUMS.asc"), temp.Combine("SHA256SUMS"));

        Assert.True(import.ExitCode == 0, import.Output);
        Assert.True(sign.ExitCode == 0, sign.Output);
        var check = SignatureVerifier.Verify(File.ReadAllBytes(temp.Combine("SHA256SUMS")), File.ReadAllBytes(temp.Combine("SHA256SUMS.asc")), TrustedKeys.Parse(generated.PublicKey, "test"));
        Assert.True(check.IsValid, check.Message);
    }
}

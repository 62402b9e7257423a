using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace SpaceTime.Packaging.Signing;

/// <summary>A new release key pair, both halves armored.</summary>
public sealed record GeneratedKey(byte[] SecretKey, byte[] PublicKey, string Fingerprint, string UserId);

/// <summary>
/// Creates release signing keys: Ed25519 primary keys (certify + sign) in the v4 "EdDSA legacy" form that gpg 2.2 imports,
/// self-certified for one user id; the secret half is AES-256 encrypted when a passphrase is given.
/// </summary>
public static class ReleaseKeyGenerator
{
    public static GeneratedKey Generate(string name, string email, string? passphrase, DateTimeOffset createdAt)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['<', '>', '\n']) >= 0)
        {
            throw new PackagingException($"key name '{name}' must be non-empty and hold no '<', '>' or newline");
        }

        if (!email.Contains('@', StringComparison.Ordinal) || email.IndexOfAny(['<', '>', ' ', '\n']) >= 0)
        {
            throw new PackagingException($"key email '{email}' is not an address like release@example.org");
        }

        var random = new SecureRandom();
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        var created = DateTimeOffset.FromUnixTimeSeconds(createdAt.ToUnixTimeSeconds()).UtcDateTime;
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, generator.GenerateKeyPair(), created);

        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        hashed.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha256]);
        hashed.SetPreferredSymmetricAlgorithms(false, [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes128]);
        hashed.SetIssuerFingerprint(false, pair.PublicKey);

        var userId = $"{name} <{email}>";
        var ring = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification,
            pair,
            userId,
            passphrase is null ? SymmetricKeyAlgorithmTag.Null : SymmetricKeyAlgorithmTag.Aes256,
            HashAlgorithmTag.Sha256,
            utf8PassPhrase: true,
            passphrase?.ToCharArray(),
            useSha1: true,
            hashed.Generate(),
            null,
            random);

        return new GeneratedKey(
            AsciiArmor.Write(AsciiArmor.PrivateKey, ring.GenerateSecretKeyRing().GetEncoded()),
            AsciiArmor.Write(AsciiArmor.PublicKey, ring.GeneratePublicKeyRing().GetEncoded()),
            OpenPgpFingerprint.Of(pair.PublicKey),
            userId);
    }
}

/// <summary>The two files <c>spacetime package keygen</c> writes.</summary>
public static class ReleaseKeyFiles
{
    public const string SecretFileName = "spacetime-release.secret.asc";
    public const string PublicFileName = "spacetime-release.public.asc";

    /// <summary>Writes the key pair into <paramref name="folder"/>, the secret half with mode 0600 from its first byte.</summary>
    public static (string SecretFile, string PublicFile) Write(string folder, GeneratedKey key, bool overwrite)
    {
        Directory.CreateDirectory(folder);
        var secret = Path.Combine(folder, SecretFileName);
        var @public = Path.Combine(folder, PublicFileName);
        if (!overwrite && (File.Exists(secret) || File.Exists(@public)))
        {
            throw new PackagingException($"{(File.Exists(secret) ? secret : @public)} already exists; keep the key you have or pass --force to replace it");
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(secret, options))
        {
            stream.Write(key.SecretKey);
        }

        // UnixCreateMode does not apply to a file that already existed.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllBytes(@public, key.PublicKey);
        return (secret, @public);
    }
}

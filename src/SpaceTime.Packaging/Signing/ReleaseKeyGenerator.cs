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

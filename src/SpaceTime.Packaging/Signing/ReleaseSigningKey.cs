using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace SpaceTime.Packaging.Signing;

/// <summary>An OpenPGP secret key, unlocked, that makes detached signatures of SHA256SUMS.</summary>
public sealed class ReleaseSigningKey
{
    private readonly PgpSecretKeyRing _ring;
    private readonly PgpSecretKey _key;
    private readonly PgpPrivateKey _privateKey;

    private ReleaseSigningKey(PgpSecretKeyRing ring, PgpSecretKey key, PgpPrivateKey privateKey)
    {
        _ring = ring;
        _key = key;
        _privateKey = privateKey;
    }

    public string Fingerprint => OpenPgpFingerprint.Of(_key.PublicKey);

    public DateTimeOffset CreatedAt => new(_key.PublicKey.CreationTime, TimeSpan.Zero);

    public string UserId => _ring.GetPublicKey().GetUserIds().FirstOrDefault() ?? "";

    /// <summary>Reads and unlocks a secret key file (armored or binary, as <c>keygen</c> or <c>gpg --export-secret-keys</c> writes it).</summary>
    /// <exception cref="SigningKeyException">The file is missing, unreadable, not a secret key, or the passphrase is missing or wrong.</exception>
    public static ReleaseSigningKey Load(string file, string? passphrase)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SigningKeyException($"signing key file {file} does not exist", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new SigningKeyException($"cannot read signing key file {file}: {e.Message}", e);
        }

        PgpSecretKeyRingBundle bundle;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            bundle = new PgpSecretKeyRingBundle(input);
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            var hint = LooksLikePublicKey(bytes) ? "it holds a public key; signing needs the secret key (spacetime-release.secret.asc)" : e.Message;
            throw new SigningKeyException($"signing key file {file} is not an OpenPGP secret key: {hint}", e);
        }

        if (bundle.Count == 0)
        {
            var hint = LooksLikePublicKey(bytes) ? "it holds a public key; signing needs the secret key (spacetime-release.secret.asc)" : "it holds no key";
            throw new SigningKeyException($"signing key file {file} is not an OpenPGP secret key: {hint}");
        }

        var (ring, key) = bundle.GetKeyRings().SelectMany(r => r.GetSecretKeys().Select(k => (Ring: r, Key: k)))
            .FirstOrDefault(k => k.Key.IsSigningKey && !k.Key.IsPrivateKeyEmpty);
        if (key is null)
        {
            throw new SigningKeyException($"signing key file {file} holds no secret key that can sign");
        }

        if (key.KeyEncryptionAlgorithm != SymmetricKeyAlgorithmTag.Null && passphrase is null)
        {
            throw new SigningKeyException($"signing key {file} is protected by a passphrase: pass --passphrase-file FILE");
        }

        try
        {
            return new ReleaseSigningKey(ring, key, key.ExtractPrivateKeyUtf8(passphrase?.ToCharArray()));
        }
        catch (PgpException e)
        {
            throw new SigningKeyException($"cannot unlock signing key {file}: wrong passphrase or damaged key ({e.Message})", e);
        }
    }

    /// <summary>The public half, armored, for <c>gpg --import</c> and <c>package verify --public-key</c>.</summary>
    public byte[] ExportPublicKey()
    {
        using var buffer = new MemoryStream();
        foreach (var key in _ring.GetPublicKeys())
        {
            key.Encode(buffer);
        }

        return AsciiArmor.Write(AsciiArmor.PublicKey, buffer.ToArray());
    }

    /// <summary>
    /// An armored detached binary-document signature. Ed25519 signatures are deterministic, so with a fixed
    /// <paramref name="signedAt"/> the same data gives the same bytes. Times before the key existed are moved to its creation
    /// time: gpg rejects a signature older than its key (as happens when SOURCE_DATE_EPOCH predates the key).
    /// </summary>
    public byte[] SignDetached(ReadOnlySpan<byte> data, DateTimeOffset signedAt)
    {
        var time = signedAt < CreatedAt ? CreatedAt : signedAt;
        var generator = new PgpSignatureGenerator(_key.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.BinaryDocument, _privateKey);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()).UtcDateTime);
        hashed.SetIssuerFingerprint(false, _key.PublicKey);
        hashed.SetIssuerKeyID(false, _key.KeyId);
        generator.SetHashedSubpackets(hashed.Generate());
        generator.Update(data);
        return AsciiArmor.Write(AsciiArmor.Signature, generator.Generate().GetEncoded());
    }

    private static bool LooksLikePublicKey(byte[] bytes)
    {
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            return new PgpPublicKeyRingBundle(input).Count > 0;
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}

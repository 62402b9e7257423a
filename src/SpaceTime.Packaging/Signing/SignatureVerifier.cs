using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace SpaceTime.Packaging.Signing;

/// <summary>Public keys the verifier trusts, read from a file the user chose (never from the package under test).</summary>
public sealed class TrustedKeys
{
    private readonly PgpPublicKeyRingBundle _bundle;

    private TrustedKeys(PgpPublicKeyRingBundle bundle, string source)
    {
        _bundle = bundle;
        Source = source;
    }

    public string Source { get; }

    public IReadOnlyList<string> Fingerprints =>
        [.. _bundle.GetKeyRings().Select(r => OpenPgpFingerprint.Of(r.GetPublicKey()))];

    /// <exception cref="SigningKeyException">The file is missing, unreadable or holds no public key.</exception>
    public static TrustedKeys Load(string file)
    {
        try
        {
            return Parse(File.ReadAllBytes(file), file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SigningKeyException($"public key file {file} does not exist", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new SigningKeyException($"cannot read public key file {file}: {e.Message}", e);
        }
    }

    public static TrustedKeys Parse(byte[] bytes, string source)
    {
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
            var bundle = new PgpPublicKeyRingBundle(input);
            return bundle.Count > 0 ? new TrustedKeys(bundle, source) : throw new SigningKeyException($"{source} holds no OpenPGP public key");
        }
        catch (Exception e) when (e is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            throw new SigningKeyException($"{source} is not an OpenPGP public key: {e.Message}", e);
        }
    }

    internal PgpPublicKey? Find(long keyId) => _bundle.GetPublicKey(keyId);
}

/// <summary>What checking a detached signature found.</summary>
public sealed record SignatureCheck(bool IsValid, string Message, string? SignerFingerprint);

/// <summary>Checks an armored detached OpenPGP signature over some data against trusted keys.</summary>
public static class SignatureVerifier
{
    private static readonly HashSet<HashAlgorithmTag> StrongHashes = [HashAlgorithmTag.Sha256, HashAlgorithmTag.Sha384, HashAlgorithmTag.Sha512];

    public static SignatureCheck Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> armoredSignature, TrustedKeys trusted)
    {
        PgpSignature signature;
        try
        {
            var binary = AsciiArmor.Read(armoredSignature, AsciiArmor.Signature);
            var factory = new PgpObjectFactory(binary);
            if (factory.NextPgpObject() is not PgpSignatureList { Count: 1 } list || factory.NextPgpObject() is not null)
            {
                return Invalid("it must hold exactly one signature packet and nothing else");
            }

            signature = list[0];
        }
        catch (Exception e) when (e is FormatException or IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            return Invalid($"not a readable armored OpenPGP signature: {e.Message}");
        }

        if (signature.Version != 4 || signature.SignatureType != PgpSignature.BinaryDocument)
        {
            return Invalid($"a v4 binary-document signature is required, found version {signature.Version} type 0x{signature.SignatureType:x2}");
        }

        if (!StrongHashes.Contains(signature.HashAlgorithm))
        {
            return Invalid($"hash algorithm {signature.HashAlgorithm} is not accepted (SHA-256, SHA-384 or SHA-512)");
        }

        var key = trusted.Find(signature.KeyId);
        if (key is null)
        {
            return Invalid($"made by key {OpenPgpFingerprint.KeyId(signature.KeyId)}, which is not a trusted key ({string.Join(", ", trusted.Fingerprints)} from {trusted.Source})");
        }

        var fingerprint = OpenPgpFingerprint.Of(key);
        if (key.HasRevocation())
        {
            return Invalid($"trusted key {fingerprint} is revoked", fingerprint);
        }

        if (signature.CreationTime < key.CreationTime)
        {
            return Invalid($"the signature ({signature.CreationTime:u}) is older than key {fingerprint} ({key.CreationTime:u})", fingerprint);
        }

        if (key.GetValidSeconds() > 0 && signature.CreationTime > key.CreationTime.AddSeconds(key.GetValidSeconds()))
        {
            return Invalid($"key {fingerprint} had expired when the signature was made", fingerprint);
        }

        bool valid;
        try
        {
            signature.InitVerify(key);
            signature.Update(data);
            valid = signature.Verify();
        }
        catch (Exception e) when (e is PgpException or ArgumentException or InvalidOperationException)
        {
            return Invalid($"cannot be checked with key {fingerprint}: {e.Message}", fingerprint);
        }

        // Verify() checks the signature value only; the two-byte digest prefix sits outside the signed data, so compare it too.
        if (!valid || !DigestPrefixMatches(signature, data))
        {
            return Invalid($"does not match the data (signed by key {fingerprint}?)", fingerprint);
        }

        return new SignatureCheck(true, $"good signature by {fingerprint} made {signature.CreationTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", fingerprint);
    }

    private static bool DigestPrefixMatches(PgpSignature signature, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(signature.HashAlgorithm switch
        {
            HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
            HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        });
        hash.AppendData(data);
        hash.AppendData(signature.GetSignatureTrailer());
        return hash.GetHashAndReset().AsSpan(0, 2).SequenceEqual(signature.GetDigestPrefix());
    }

    private static SignatureCheck Invalid(string message, string? fingerprint = null) => new(false, message, fingerprint);
}

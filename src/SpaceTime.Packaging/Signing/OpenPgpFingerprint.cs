using Org.BouncyCastle.Bcpg.OpenPgp;

namespace SpaceTime.Packaging.Signing;

internal static class OpenPgpFingerprint
{
    /// <summary>The key's fingerprint as gpg prints it in --with-colons output: upper-case hex, no spaces.</summary>
    public static string Of(PgpPublicKey key) => Convert.ToHexString(key.GetFingerprint());

    public static string KeyId(long id) => id.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
}

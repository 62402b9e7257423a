using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Tests.Tokens;

/// <summary>Properties of the HS256 codec and of token lifetimes.</summary>
public sealed class TokenCodecPropertyTests
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly SigningKey Key = new("k-test", RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null);

    /// <summary>Strings as clients could send them: any text without lone surrogates.</summary>
    private static Gen<string> Text() =>
        ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && s.Length > 0 && IsWellFormed(s));

    private static Gen<TokenClaims> Claims() =>
        from subject in Text()
        from role in Gen.OneOf(Gen.Elements("guest", "readonly", "developer", "admin"), Text())
        from jti in Gen.Elements("0123456789abcdef".ToCharArray()).ArrayOf(32).Select(c => new string(c))
        from iat in Gen.Choose(0, int.MaxValue).Select(i => (long)i)
        from lifetime in Gen.Choose(60, 30 * 24 * 3600)
        select new TokenClaims(subject, role, jti, iat, iat + lifetime);

    [Property(MaxTest = 300)]
    public Property EncodeThenDecode_ReturnsSameClaims() =>
        Prop.ForAll(Claims().ToArbitrary(), claims =>
        {
            var check = JwtCodec.Decode(JwtCodec.Encode(claims, Key), _ => [Key]);
            return check.Succeeded && check.Claims == claims;
        });

    [Property(MaxTest = 300)]
    public Property Decode_OneCharacterOfPayloadChanged_Fails() =>
        Prop.ForAll(Claims().ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(1, 63).ToArbitrary(), (claims, position, shift) =>
            !JwtCodec.Decode(Tamper(JwtCodec.Encode(claims, Key), part: 1, position, shift), _ => [Key]).Succeeded);

    [Property(MaxTest = 300)]
    public Property Decode_OneCharacterOfSignatureChanged_Fails() =>
        Prop.ForAll(Claims().ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(1, 63).ToArbitrary(), (claims, position, shift) =>
            !JwtCodec.Decode(Tamper(JwtCodec.Encode(claims, Key), part: 2, position, shift), _ => [Key]).Succeeded);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Decode_EveryOtherCharacterAtEveryPosition_Fails(int part)
    {
        var token = JwtCodec.Encode(new TokenClaims("subject", "admin", "jti", 1_700_000_000, 1_700_003_600), Key);
        var length = token.Split('.')[part].Length;

        var accepted = (
            from position in Enumerable.Range(0, length)
            from shift in Enumerable.Range(1, 63)
            let tampered = Tamper(token, part, position, shift)
            where JwtCodec.Decode(tampered, _ => [Key]).Succeeded
            select tampered).ToList();

        Assert.True(accepted.Count == 0, $"{accepted.Count} tampered tokens accepted, e.g. {accepted.FirstOrDefault()} for {token}");
    }

    [Property(MaxTest = 100)]
    public Property Decode_OtherKey_FailsWithBadSignature() =>
        Prop.ForAll(Claims().ToArbitrary(), claims =>
        {
            var other = Key with { Secret = RandomNumberGenerator.GetBytes(32) };
            return JwtCodec.Decode(JwtCodec.Encode(claims, Key), _ => [other]).Failure == TokenFailure.BadSignature;
        });

    [Property(MaxTest = 300)]
    public Property TokenTtl_NumberAndUnit_Parses() =>
        Prop.ForAll(Gen.Choose(1, 100_000).ToArbitrary(), Gen.Elements(('s', 1), ('m', 60), ('h', 3600), ('d', 86400), ('S', 1), ('H', 3600)).ToArbitrary(), (n, unit) =>
            TokenTtl.TryParse($"{n}{unit.Item1}", out var ttl) && ttl == TimeSpan.FromSeconds((double)n * unit.Item2));

    [Property(MaxTest = 200)]
    public Property TokenTtl_PlainNumber_IsSeconds() =>
        Prop.ForAll(Gen.Choose(1, 1_000_000).ToArbitrary(), n => TokenTtl.TryParse(n.ToString(System.Globalization.CultureInfo.InvariantCulture), out var ttl) && ttl == TimeSpan.FromSeconds(n));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("5x")]
    [InlineData("5w")]
    [InlineData("h")]
    [InlineData("abc")]
    [InlineData("NaNs")]
    [InlineData("Infinityh")]
    [InlineData("1e400s")]
    [InlineData("1e300d")]
    public void TokenTtl_Invalid_Rejected(string? text)
    {
        Assert.False(TokenTtl.TryParse(text, out _));
    }

    /// <summary>Replaces one character of a token part with another base64url character.</summary>
    private static string Tamper(string token, int part, int position, int shift)
    {
        var parts = token.Split('.');
        var chars = parts[part].ToCharArray();
        var i = position % chars.Length;
        chars[i] = Base64UrlAlphabet[(Base64UrlAlphabet.IndexOf(chars[i], StringComparison.Ordinal) + shift) % 64];
        parts[part] = new string(chars);
        return string.Join('.', parts);
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && (i + 1 >= s.Length || !char.IsLowSurrogate(s[++i])))
            {
                return false;
            }

            if (char.IsLowSurrogate(s[i]) && (i == 0 || !char.IsHighSurrogate(s[i - 1])))
            {
                return false;
            }
        }

        return true;
    }
}

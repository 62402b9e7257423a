using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Security.Tokens;

/// <summary>The claims SpaceTime puts in a token.</summary>
public sealed record TokenClaims(string Subject, string Role, string Jti, long IssuedAt, long ExpiresAt)
{
    public DateTimeOffset Expires => DateTimeOffset.FromUnixTimeSeconds(ExpiresAt);
}

/// <summary>Compact JWS with HS256 (RFC 7519/7515): <c>header.payload.signature</c>, base64url without padding.</summary>
public static class JwtCodec
{
    public static string Encode(TokenClaims claims, SigningKey key)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = key.Id };
        var payload = new JsonObject
        {
            ["sub"] = claims.Subject,
            ["role"] = claims.Role,
            ["jti"] = claims.Jti,
            ["iat"] = claims.IssuedAt,
            ["exp"] = claims.ExpiresAt,
            ["type"] = "api_access",
        };
        var signingInput = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        return $"{signingInput}.{Base64Url.EncodeToString(HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    /// <summary>
    /// Checks structure, algorithm and signature (against the key named by <c>kid</c>, or every candidate key),
    /// then reads the claims. Expiry and revocation are the caller's business.
    /// </summary>
    public static TokenCheck Decode(string token, Func<string?, IEnumerable<SigningKey>> candidateKeys)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return TokenCheck.Fail(TokenFailure.Malformed);
        }

        JsonObject? header;
        JsonObject? payload;
        byte[] signature;
        try
        {
            header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return TokenCheck.Fail(TokenFailure.Malformed);
        }

        if (header is null || payload is null || header["alg"]?.GetValueKind() != JsonValueKind.String || (string?)header["alg"] != "HS256")
        {
            // Only HS256: "none" and algorithm confusion are refused outright.
            return TokenCheck.Fail(TokenFailure.Malformed);
        }

        var kid = header["kid"]?.GetValueKind() == JsonValueKind.String ? (string?)header["kid"] : null;
        var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var verified = candidateKeys(kid).Any(k => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(k.Secret, signingInput), signature));
        if (!verified)
        {
            return TokenCheck.Fail(TokenFailure.BadSignature);
        }

        try
        {
            var claims = new TokenClaims(
                payload["sub"]!.GetValue<string>(),
                payload["role"]!.GetValue<string>(),
                payload["jti"]!.GetValue<string>(),
                payload["iat"]!.GetValue<long>(),
                payload["exp"]!.GetValue<long>());
            return TokenCheck.Ok(claims);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            return TokenCheck.Fail(TokenFailure.Malformed);
        }
    }
}

public enum TokenFailure
{
    None,
    Missing,
    InvalidFormat,
    Malformed,
    BadSignature,
    Expired,
    Revoked,
    SessionExpired,
    UnknownRole,
}

public sealed record TokenCheck(TokenClaims? Claims, TokenFailure Failure)
{
    public bool Succeeded => Claims is not null && Failure == TokenFailure.None;

    public static TokenCheck Ok(TokenClaims claims) => new(claims, TokenFailure.None);

    public static TokenCheck Fail(TokenFailure failure) => new(null, failure);
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Collections.Concurrent;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.State;

namespace SpaceTime.Security.Tokens;

public sealed record IssuedToken(string Token, string Jti, string Subject, string Role, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

public sealed record TokenServiceStatus(
    string CurrentKeyId,
    int ValidKeys,
    DateTimeOffset CurrentKeyCreatedAt,
    int RevokedTokens,
    int ActiveSessions,
    bool StaticTokenConfigured,
    int DefaultTtlSeconds,
    int SessionTimeoutMinutes,
    int MaxConcurrentSessions);

/// <summary>
/// Issues, validates, refreshes and revokes tokens, and rotates the signing key. Revocations, sessions, idle clocks
/// and keys live in the shared security state (<see cref="ISecurityStateStore"/>), so every process serving the
/// installation agrees on them within a second and they survive restarts. The static <c>API_TOKEN</c> (compared in
/// constant time) acts as admin.
/// </summary>
public sealed class TokenService : IDisposable
{
    public const string StaticTokenSubject = "api-token";

    /// <summary>Subject of the dedicated metrics token (<c>METRICS_TOKEN</c>), which may only read <c>/metrics</c>.</summary>
    public const string MetricsTokenSubject = "metrics-token";

    private const int MaxVerifiedTokens = 10_000;

    private readonly ISecurityStateStore _state;
    private readonly bool _ownsState;
    private readonly SigningKeyStore _keys;
    private readonly AuthenticationSettings _settings;
    private readonly TimeProvider _time;
    private readonly byte[]? _staticTokenHash;
    private readonly byte[]? _metricsTokenHash;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _touchInterval;
    private readonly ConcurrentDictionary<string, Activity> _activity = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TokenDigest, VerifiedToken> _verified = new();

    /// <summary>Tokens over the embedded state of <paramref name="dataDir"/> (what <c>spacetime token issue</c> uses without Redis).</summary>
    public TokenService(string dataDir, AuthenticationSettings settings, TimeProvider time)
        : this(SecurityStateStores.OpenEmbedded(dataDir, settings, time), settings, time, ownsState: true)
    {
    }

    public TokenService(ISecurityStateStore state, AuthenticationSettings settings, TimeProvider time, bool ownsState = false)
    {
        _state = state;
        _ownsState = ownsState;
        _settings = settings;
        _time = time;
        _keys = new SigningKeyStore(state, time);
        _staticTokenHash = settings.ApiToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiToken));
        _metricsTokenHash = settings.MetricsToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.MetricsToken));
        _idleTimeout = TimeSpan.FromMinutes(settings.SessionTimeoutMinutes);
        // Uses are written at most this often per token: coarse enough to keep reads cheap, fine enough for the clock.
        _touchInterval = TimeSpan.FromSeconds(Math.Clamp(_idleTimeout.TotalSeconds / 20, 1, 30));
    }

    public SigningKeyStore Keys => _keys;

    public ISecurityStateStore State => _state;

    /// <summary>Issues a token. Beyond the subject's session limit, its oldest sessions are revoked.</summary>
    public IssuedToken Issue(string subject, string role, TimeSpan? ttl = null)
    {
        if (!Roles.IsValid(role))
        {
            throw new ArgumentException($"unknown role '{role}' (expected one of {string.Join(", ", Roles.All)})", nameof(role));
        }

        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 128)
        {
            throw new ArgumentException("subject must be 1-128 characters", nameof(subject));
        }

        if (subject is StaticTokenSubject or MetricsTokenSubject or "anonymous")
        {
            throw new ArgumentException($"subject '{subject}' is reserved", nameof(subject));
        }

        var lifetime = ttl ?? TimeSpan.FromSeconds(_settings.TokenExpirySeconds);
        if (lifetime < TimeSpan.FromMinutes(1) || lifetime > TimeSpan.FromSeconds(_settings.MaxTokenExpirySeconds))
        {
            throw new ArgumentException($"ttl must be between 1 minute and {TimeSpan.FromSeconds(_settings.MaxTokenExpirySeconds).TotalHours:0.#} hours", nameof(ttl));
        }

        var now = _time.GetUtcNow();
        var claims = new TokenClaims(subject, role, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), now.ToUnixTimeSeconds(), (now + lifetime).ToUnixTimeSeconds());
        var token = JwtCodec.Encode(claims, _keys.Current);
        _state.AddSession(subject, claims.Jti, claims.IssuedAt, claims.ExpiresAt, _settings.MaxConcurrentSessions, now);
        _activity[claims.Jti] = new Activity(now, now);
        return new IssuedToken(token, claims.Jti, subject, role, now, claims.Expires);
    }

    /// <summary>Validates a bearer token: the static API token, or a JWT (signature, expiry, revocation, idle timeout).</summary>
    public TokenCheck Validate(string token)
    {
        var now = _time.GetUtcNow();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        if (_staticTokenHash is not null && CryptographicOperations.FixedTimeEquals(_staticTokenHash, hash))
        {
            return TokenCheck.Ok(new TokenClaims(StaticTokenSubject, Roles.Admin, StaticTokenSubject, 0, long.MaxValue));
        }

        if (_metricsTokenHash is not null && CryptographicOperations.FixedTimeEquals(_metricsTokenHash, hash))
        {
            return TokenCheck.Ok(new TokenClaims(MetricsTokenSubject, Roles.Guest, MetricsTokenSubject, 0, long.MaxValue));
        }

        var check = Verify(token, hash, now);
        if (!check.Succeeded)
        {
            return check;
        }

        var claims = check.Claims!;
        if (!Roles.IsValid(claims.Role))
        {
            return TokenCheck.Fail(TokenFailure.UnknownRole);
        }

        if (claims.ExpiresAt <= now.ToUnixTimeSeconds())
        {
            return TokenCheck.Fail(TokenFailure.Expired);
        }

        if (_state.View.Revoked.TryGetValue(claims.Jti, out var revoked))
        {
            return TokenCheck.Fail(revoked.IdleTimeout ? TokenFailure.SessionExpired : TokenFailure.Revoked);
        }

        return _idleTimeout > TimeSpan.Zero && !CheckIdle(claims, now) ? TokenCheck.Fail(TokenFailure.SessionExpired) : check;
    }

    /// <summary>Swaps a valid token for a fresh one with the same subject and role; the old one is revoked.</summary>
    public IssuedToken Refresh(TokenClaims current)
    {
        if (current.Subject == StaticTokenSubject)
        {
            throw new InvalidOperationException("the static API token cannot be refreshed; issue a token with POST /auth/token");
        }

        // The fresh token lives as long as the old one was issued for.
        var ttl = TimeSpan.FromSeconds(Math.Clamp(current.ExpiresAt - current.IssuedAt, 60, _settings.MaxTokenExpirySeconds));
        var fresh = Issue(current.Subject, current.Role, ttl);
        Revoke(current.Jti);
        return fresh;
    }

    /// <summary>
    /// Revokes a token by its id. An id the state has no session for (e.g. issued by <c>spacetime token issue</c> and
    /// never used) is kept revoked for the longest lifetime a token can have.
    /// </summary>
    public void Revoke(string jti)
    {
        var now = _time.GetUtcNow();
        _state.Revoke(jti, now.AddSeconds(_settings.MaxTokenExpirySeconds).ToUnixTimeSeconds(), idleTimeout: false, now);
        _activity.TryRemove(jti, out _);
    }

    public SigningKey RotateKey() => _keys.Rotate(TimeSpan.FromMinutes(_settings.KeyRotationGraceMinutes));

    public TokenServiceStatus GetStatus()
    {
        var now = _time.GetUtcNow();
        var current = _keys.Current;
        var seconds = now.ToUnixTimeSeconds();
        return new TokenServiceStatus(current.Id, _keys.ValidKeys.Count, current.CreatedAt, _state.View.Revoked.Values.Count(r => r.ExpiresAt > seconds),
            _state.ActiveSessions(now), _staticTokenHash is not null, _settings.TokenExpirySeconds, _settings.SessionTimeoutMinutes, _settings.MaxConcurrentSessions);
    }

    public void Dispose()
    {
        if (_ownsState)
        {
            _state.Dispose();
        }
    }

    /// <summary>
    /// Signature and claims of a JWT, decoded once per token and key set: every request of a client carries the same
    /// token, and the HMAC and two JSON parses were most of what a request spent on authentication. An entry holds only
    /// while the keys it was checked against are the state's current ones (a rotation or any other state change
    /// replaces them) and until the first of them leaves its grace period; expiry, revocation and the idle clock are
    /// still checked on every request by the caller. Keyed by the token's SHA-256, so no token is kept in memory and a
    /// lookup compares digests, not secrets. Failures are not kept.
    /// </summary>
    private TokenCheck Verify(string token, byte[] hash, DateTimeOffset now)
    {
        var keys = _state.View.Keys;
        var digest = new TokenDigest(hash);
        if (_verified.TryGetValue(digest, out var known) && ReferenceEquals(known.Keys, keys) && now < known.Until)
        {
            return known.Check;
        }

        var check = JwtCodec.Decode(token, _keys.Candidates);
        if (check.Succeeded)
        {
            if (_verified.Count >= MaxVerifiedTokens)
            {
                // Only a cache: an evicted token is verified again on its next request.
                _verified.Clear();
            }

            var until = keys.Select(k => k.ValidUntil).OfType<DateTimeOffset>().Where(v => v > now).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            _verified[digest] = new VerifiedToken(check, keys, until);
        }

        return check;
    }

    /// <summary>
    /// The idle clock: the last use by any process. This process's own last use is enough while it is recent; only a
    /// token that looks idle from here is looked up in the store (another process may have seen it since). A token
    /// found idle is retired in the store, so it stays refused everywhere, after restarts too, until it expires.
    /// </summary>
    private bool CheckIdle(TokenClaims claims, DateTimeOffset now)
    {
        var local = _activity.TryGetValue(claims.Jti, out var a) ? a : null;
        if (local is null || now - local.Seen > _idleTimeout - _touchInterval)
        {
            var stored = _state.LastSeen(claims.Jti);
            var seen = Max(local?.Seen, stored);
            if (seen is { } last && now - last > _idleTimeout)
            {
                _state.Revoke(claims.Jti, claims.ExpiresAt, idleTimeout: true, now);
                _activity.TryRemove(claims.Jti, out _);
                return false;
            }

            local = new Activity(seen ?? now, stored ?? DateTimeOffset.MinValue);
        }

        if (now - local.Written >= _touchInterval)
        {
            _state.Touch(claims.Jti, now, claims.ExpiresAt);
            local = new Activity(now, now);
        }
        else
        {
            local = local with { Seen = now };
        }

        _activity[claims.Jti] = local;
        if (_activity.Count > 100_000)
        {
            // Only a cache: the store has every idle clock.
            _activity.Clear();
        }

        return true;
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private sealed record Activity(DateTimeOffset Seen, DateTimeOffset Written);

    private sealed record VerifiedToken(TokenCheck Check, IReadOnlyList<SigningKey> Keys, DateTimeOffset Until);

    /// <summary>A token's SHA-256.</summary>
    private readonly record struct TokenDigest(UInt128 High, UInt128 Low)
    {
        public TokenDigest(byte[] sha256)
            : this(BinaryPrimitives.ReadUInt128LittleEndian(sha256), BinaryPrimitives.ReadUInt128LittleEndian(sha256.AsSpan(16)))
        {
        }
    }
}

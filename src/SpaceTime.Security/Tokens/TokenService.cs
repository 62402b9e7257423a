using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SpaceTime.Security.Authentication;

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
/// Issues, validates, refreshes and revokes tokens, and rotates the signing key. Revocations and sessions are kept in
/// <c>&lt;data&gt;/security/tokens.json</c> so they survive restarts. The static <c>API_TOKEN</c> (compared in
/// constant time) acts as admin.
/// </summary>
public sealed class TokenService
{
    public const string StaticTokenSubject = "api-token";

    /// <summary>Subject of the dedicated metrics token (<c>METRICS_TOKEN</c>), which may only read <c>/metrics</c>.</summary>
    public const string MetricsTokenSubject = "metrics-token";

    private readonly SigningKeyStore _keys;
    private readonly AuthenticationSettings _settings;
    private readonly TimeProvider _time;
    private readonly string _stateFile;
    private readonly byte[]? _staticTokenHash;
    private readonly byte[]? _metricsTokenHash;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Session>> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);

    public TokenService(string dataDir, AuthenticationSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _keys = new SigningKeyStore(dataDir, settings.JwtSecretKey, time);
        _stateFile = Path.Combine(dataDir, "security", "tokens.json");
        _staticTokenHash = settings.ApiToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiToken));
        _metricsTokenHash = settings.MetricsToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.MetricsToken));
        LoadState();
    }

    public SigningKeyStore Keys => _keys;

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
        lock (_lock)
        {
            Prune(now);
            var sessions = _sessions.TryGetValue(subject, out var list) ? list : _sessions[subject] = [];
            sessions.Add(new Session(claims.Jti, claims.ExpiresAt, claims.IssuedAt));
            while (_settings.MaxConcurrentSessions > 0 && sessions.Count > _settings.MaxConcurrentSessions)
            {
                _revoked[sessions[0].Jti] = sessions[0].ExpiresAt;
                sessions.RemoveAt(0);
            }

            _lastSeen[claims.Jti] = now;
            SaveState();
        }

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

        var check = JwtCodec.Decode(token, _keys.Candidates);
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

        lock (_lock)
        {
            if (_revoked.ContainsKey(claims.Jti))
            {
                return TokenCheck.Fail(TokenFailure.Revoked);
            }

            if (_settings.SessionTimeoutMinutes > 0 && _lastSeen.TryGetValue(claims.Jti, out var seen)
                && now - seen > TimeSpan.FromMinutes(_settings.SessionTimeoutMinutes))
            {
                return TokenCheck.Fail(TokenFailure.SessionExpired);
            }

            _lastSeen[claims.Jti] = now;
        }

        return check;
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
    /// Revokes a token by its id. An id this process has no session for (e.g. issued by <c>spacetime token issue</c>)
    /// is kept revoked for the longest lifetime a token can have.
    /// </summary>
    public void Revoke(string jti)
    {
        lock (_lock)
        {
            var session = _sessions.Values.SelectMany(s => s).FirstOrDefault(s => s.Jti == jti);
            var fallback = _time.GetUtcNow().AddSeconds(_settings.MaxTokenExpirySeconds).ToUnixTimeSeconds();
            _revoked[jti] = session?.ExpiresAt ?? (_revoked.TryGetValue(jti, out var known) ? known : fallback);
            foreach (var list in _sessions.Values)
            {
                list.RemoveAll(s => s.Jti == jti);
            }

            _lastSeen.Remove(jti);
            SaveState();
        }
    }

    public SigningKey RotateKey() => _keys.Rotate(TimeSpan.FromMinutes(_settings.KeyRotationGraceMinutes));

    public TokenServiceStatus GetStatus()
    {
        lock (_lock)
        {
            Prune(_time.GetUtcNow());
            var current = _keys.Current;
            return new TokenServiceStatus(current.Id, _keys.ValidKeys.Count, current.CreatedAt, _revoked.Count, _sessions.Values.Sum(s => s.Count),
                _staticTokenHash is not null, _settings.TokenExpirySeconds, _settings.SessionTimeoutMinutes, _settings.MaxConcurrentSessions);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        foreach (var jti in _revoked.Where(r => r.Value <= seconds).Select(r => r.Key).ToList())
        {
            _revoked.Remove(jti);
        }

        foreach (var list in _sessions.Values)
        {
            list.RemoveAll(s => s.ExpiresAt <= seconds);
        }

        // Activity records only matter within the idle timeout; drop older ones so the map stays bounded.
        var idle = TimeSpan.FromMinutes(Math.Max(_settings.SessionTimeoutMinutes, 1) * 2);
        foreach (var jti in _lastSeen.Where(p => now - p.Value > idle).Select(p => p.Key).ToList())
        {
            _lastSeen.Remove(jti);
        }
    }

    private void LoadState()
    {
        if (!File.Exists(_stateFile))
        {
            return;
        }

        try
        {
            var state = JsonSerializer.Deserialize<StoredState>(File.ReadAllText(_stateFile));
            foreach (var (jti, exp) in state?.Revoked ?? [])
            {
                _revoked[jti] = exp;
            }

            foreach (var (subject, sessions) in state?.Sessions ?? [])
            {
                _sessions[subject] = sessions;
            }
        }
        catch (JsonException e)
        {
            throw new SecurityConfigurationException(_stateFile, "$", $"token state file is corrupt ({e.Message})");
        }
    }

    private void SaveState() => SecureFile.WriteAllText(_stateFile, JsonSerializer.Serialize(new StoredState(_revoked, _sessions)));

    private sealed record Session(string Jti, long ExpiresAt, long IssuedAt);

    private sealed record StoredState(Dictionary<string, long> Revoked, Dictionary<string, List<Session>> Sessions);
}

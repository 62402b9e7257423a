using System.Collections.Frozen;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.State;

/// <summary>
/// A revoked token id, kept until the token would have expired anyway. <c>IdleTimeout</c> is true when the token was
/// retired because its session sat idle too long.
/// </summary>
public sealed record RevokedToken(string Jti, long ExpiresAt, bool IdleTimeout);

/// <summary>A client banned for repeated rate-limit violations (or by hand).</summary>
public sealed record ClientBan(string Client, DateTimeOffset Since, DateTimeOffset Until, string Reason);

/// <summary>
/// One bucket to take tokens from: its scope (an endpoint prefix, or <c>*</c> for the client's global budget), size, and
/// how many tokens are wanted (as many of them as the bucket holds whole are granted, at least one or none).
/// </summary>
public readonly record struct BucketRequest(string Scope, int PerMinute, int Capacity, int Want = 1);

/// <summary>The outcome of taking tokens from a shared bucket: how many were granted and what is left.</summary>
public readonly record struct BucketTake(int Granted, double Remaining, double SecondsToNext, double SecondsToFull)
{
    public bool Taken => Granted > 0;

    /// <summary>The take of <paramref name="granted"/> tokens that left <paramref name="remaining"/> in a bucket of this rate and size.</summary>
    public static BucketTake Of(int granted, double remaining, int perMinute, int capacity)
    {
        var perSecond = perMinute / 60.0;
        return new BucketTake(granted, remaining, remaining >= 1 ? 0 : (1 - remaining) / perSecond, (capacity - remaining) / perSecond);
    }
}

/// <summary>How the store is doing, for <c>/health</c>: pass, or warn with the reason (e.g. Redis unreachable).</summary>
public sealed record StateHealth(string Status, string Message);

/// <summary>
/// What every process must agree on, as of at most one second ago: signing keys, revocations and bans. Immutable;
/// the store swaps in a new one when anything changes.
/// </summary>
public sealed class SecurityStateView(IReadOnlyList<SigningKey> keys, FrozenDictionary<string, RevokedToken> revoked, FrozenDictionary<string, ClientBan> bans)
{
    public static SecurityStateView Empty { get; } = new([], FrozenDictionary<string, RevokedToken>.Empty, FrozenDictionary<string, ClientBan>.Empty);

    /// <summary>Oldest first; the current key is the last one without <see cref="SigningKey.ValidUntil"/>.</summary>
    public IReadOnlyList<SigningKey> Keys { get; } = keys;

    public FrozenDictionary<string, RevokedToken> Revoked { get; } = revoked;

    public FrozenDictionary<string, ClientBan> Bans { get; } = bans;
}

/// <summary>
/// The security state shared by every process that serves one installation: the manager and its game on one data
/// dir (<see cref="SqliteSecurityStateStore"/>, the default) or any number of instances sharing Redis
/// (<see cref="RedisSecurityStateStore"/>). A change made through any process is in force in all of them within
/// one second: nothing here is a copy loaded once at start-up.
/// </summary>
public interface ISecurityStateStore : IDisposable
{
    /// <summary><c>embedded</c> or <c>redis</c> (what <c>/status</c> reports as <c>storage.state</c>).</summary>
    string Backend { get; }

    /// <summary>Where the state lives, for messages: a file path, or Redis host:port (never a password).</summary>
    string Location { get; }

    /// <summary>Keys, revocations and bans, no more than one second old.</summary>
    SecurityStateView View { get; }

    StateHealth Health { get; }

    /// <summary>Makes sure a current key exists (and that <c>JWT_SECRET_KEY</c>, when given, is the current one).</summary>
    void InitializeKeys(byte[]? environmentSecret, DateTimeOffset now);

    /// <summary>Makes a new random key current; the previous one keeps verifying for <paramref name="grace"/>.</summary>
    SigningKey RotateKey(TimeSpan grace, DateTimeOffset now);

    /// <summary>
    /// Rotates as <see cref="RotateKey"/> only when the current key was created at or before <paramref name="createdBy"/>,
    /// deciding and rotating in one step, so processes sharing the store rotate once between them. Null when not due.
    /// </summary>
    SigningKey? RotateKeyCreatedBy(DateTimeOffset createdBy, TimeSpan grace, DateTimeOffset now);

    /// <summary>
    /// Revokes a token until it expires (its session's expiry when known, else <paramref name="fallbackExpiresAt"/>)
    /// and ends its session.
    /// </summary>
    void Revoke(string jti, long fallbackExpiresAt, bool idleTimeout, DateTimeOffset now);

    /// <summary>Records a new session; beyond <paramref name="maxSessions"/> (0 = unlimited) the subject's oldest are revoked.</summary>
    void AddSession(string subject, string jti, long issuedAt, long expiresAt, int maxSessions, DateTimeOffset now);

    int ActiveSessions(DateTimeOffset now);

    /// <summary>When the token was last used by any process, or null when never (as far as the store knows).</summary>
    DateTimeOffset? LastSeen(string jti);

    /// <summary>Records a use of the token; kept until the token expires, so idle clocks survive restarts.</summary>
    void Touch(string jti, DateTimeOffset at, long expiresAt);

    void Ban(ClientBan ban);

    /// <summary>Lifts a ban (and forgets the client's violations); false when the client was not banned.</summary>
    bool Unban(string client);

    /// <summary>Takes the wanted tokens (or as many as are there) from each of the client's buckets (shared by every process), in one round trip.</summary>
    ValueTask<BucketTake[]> TakeTokensAsync(string client, IReadOnlyList<BucketRequest> buckets, DateTimeOffset now);

    /// <summary>Counts a rate-limit rejection; returns how many the client has within <paramref name="window"/>.</summary>
    int RecordViolation(string client, DateTimeOffset now, TimeSpan window);
}

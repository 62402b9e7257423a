using SpaceTime.Security.State;

namespace SpaceTime.Security.Tokens;

/// <summary>An HS256 key. <see cref="ValidUntil"/> is set once it has been rotated out.</summary>
public sealed record SigningKey(string Id, byte[] Secret, DateTimeOffset CreatedAt, DateTimeOffset? ValidUntil);

/// <summary>
/// The signing keys: the current one and rotated-out ones still inside their grace period, read from the shared
/// security state (so a rotation through any process is in force in all of them within a second). A key given in
/// <c>JWT_SECRET_KEY</c> is used as is and never stored (only its id is).
/// </summary>
public sealed class SigningKeyStore(ISecurityStateStore state, TimeProvider time)
{
    /// <summary>Where the keys live: the state database, or Redis host:port.</summary>
    public string FilePath => state.Location;

    public SigningKey Current
    {
        get
        {
            var keys = state.View.Keys;
            for (var i = keys.Count - 1; i >= 0; i--)
            {
                if (keys[i].ValidUntil is null)
                {
                    return keys[i];
                }
            }

            throw new InvalidOperationException($"no current signing key in {state.Location}");
        }
    }

    /// <summary>Keys that still verify tokens: the current one and those within their grace period.</summary>
    public IReadOnlyList<SigningKey> ValidKeys
    {
        get
        {
            var now = time.GetUtcNow();
            return state.View.Keys.Where(k => k.ValidUntil is null || k.ValidUntil > now).ToList();
        }
    }

    public IEnumerable<SigningKey> Candidates(string? kid)
    {
        var valid = ValidKeys;
        var named = valid.Where(k => k.Id == kid).ToList();
        return named.Count > 0 ? named : valid;
    }

    /// <summary>Makes a new random key current; the old one keeps verifying for <paramref name="grace"/>.</summary>
    public SigningKey Rotate(TimeSpan grace) => state.RotateKey(grace, time.GetUtcNow());
}

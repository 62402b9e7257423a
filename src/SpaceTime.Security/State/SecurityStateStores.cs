using System.Text;

namespace SpaceTime.Security.State;

/// <summary>Opens the security state the configuration asks for: Redis when <c>REDIS_URL</c>/<c>REDIS_HOST</c> is set, else the data dir.</summary>
public static class SecurityStateStores
{
    public static ISecurityStateStore Open(string dataDir, SecuritySettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Redis is { } redis
            ? RedisSecurityStateStore.Connect(redis, Secret(settings.Authentication), time)
            : OpenEmbedded(dataDir, settings.Authentication, time);
    }

    /// <summary>The data dir's <c>security/state.db</c>, with files of earlier versions migrated into it.</summary>
    public static SqliteSecurityStateStore OpenEmbedded(string dataDir, AuthenticationSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var store = new SqliteSecurityStateStore(dataDir, Secret(settings));
        try
        {
            store.MigrateLegacyFiles(dataDir);
            store.InitializeKeys(Secret(settings), time.GetUtcNow());
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static byte[]? Secret(AuthenticationSettings settings) => settings.JwtSecretKey is null ? null : Encoding.UTF8.GetBytes(settings.JwtSecretKey);
}

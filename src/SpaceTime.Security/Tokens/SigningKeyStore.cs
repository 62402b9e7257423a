using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SpaceTime.Security.Tokens;

/// <summary>An HS256 key. <see cref="ValidUntil"/> is set once it has been rotated out.</summary>
public sealed record SigningKey(string Id, byte[] Secret, DateTimeOffset CreatedAt, DateTimeOffset? ValidUntil);

/// <summary>
/// The signing keys: the current one and rotated-out ones still inside their grace period. Kept in
/// <c>&lt;data&gt;/security/signing-keys.json</c> with mode 0600. A key given in <c>JWT_SECRET_KEY</c> is used as
/// is and never written to disk (only its fingerprint is).
/// </summary>
public sealed class SigningKeyStore
{
    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly byte[]? _environmentSecret;
    private List<SigningKey> _keys = [];

    public SigningKeyStore(string dataDir, string? environmentSecret, TimeProvider time)
    {
        _time = time;
        _file = Path.Combine(dataDir, "security", "signing-keys.json");
        _environmentSecret = environmentSecret is null ? null : Encoding.UTF8.GetBytes(environmentSecret);
        Load();
    }

    public string FilePath => _file;

    public SigningKey Current
    {
        get
        {
            lock (_lock)
            {
                return _keys[^1];
            }
        }
    }

    /// <summary>Keys that still verify tokens: the current one and those within their grace period.</summary>
    public IReadOnlyList<SigningKey> ValidKeys
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                return _keys.Where(k => k.ValidUntil is null || k.ValidUntil > now).ToList();
            }
        }
    }

    public IEnumerable<SigningKey> Candidates(string? kid)
    {
        var valid = ValidKeys;
        var named = valid.Where(k => k.Id == kid).ToList();
        return named.Count > 0 ? named : valid;
    }

    /// <summary>Makes a new random key current; the old one keeps verifying for <paramref name="grace"/>.</summary>
    public SigningKey Rotate(TimeSpan grace)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var previous = _keys[^1];
            _keys[^1] = previous with { ValidUntil = now + grace };
            var key = NewKey(now);
            _keys.Add(key);
            _keys.RemoveAll(k => k.ValidUntil is { } until && until <= now);
            Save();
            return key;
        }
    }

    private void Load()
    {
        var now = _time.GetUtcNow();
        var stored = File.Exists(_file) ? ReadFile() : [];
        if (_environmentSecret is not null)
        {
            var id = "env-" + Convert.ToHexStringLower(SHA256.HashData(_environmentSecret))[..12];
            var existing = stored.FindIndex(k => k.Id == id);
            if (existing < 0)
            {
                // A new JWT_SECRET_KEY supersedes whatever was current (keys rotated here included).
                stored = [.. stored.Select(k => k.ValidUntil is null ? k with { ValidUntil = now } : k), new SigningKey(id, _environmentSecret, now, null)];
            }
            else
            {
                stored[existing] = stored[existing] with { Secret = _environmentSecret };
            }
        }

        stored.RemoveAll(k => k.Secret.Length == 0 || (k.ValidUntil is { } until && until <= now));
        if (stored.Count == 0 || stored[^1].ValidUntil is not null)
        {
            stored.Add(NewKey(now));
        }

        _keys = stored;
        Save();
    }

    private static SigningKey NewKey(DateTimeOffset now) =>
        new("k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), RandomNumberGenerator.GetBytes(32), now, null);

    private List<SigningKey> ReadFile()
    {
        try
        {
            var records = JsonSerializer.Deserialize<List<StoredKey>>(File.ReadAllText(_file)) ?? [];
            return records.Select(r => new SigningKey(r.Id, r.Secret is null ? [] : Convert.FromBase64String(r.Secret), r.CreatedAt, r.ValidUntil)).ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new SecurityConfigurationException(_file, "$", $"signing key file is corrupt ({e.Message}); move it away to start with a new key");
        }
    }

    private void Save()
    {
        var records = _keys.Select(k => new StoredKey(k.Id, k.Id.StartsWith("env-", StringComparison.Ordinal) ? null : Convert.ToBase64String(k.Secret), k.CreatedAt, k.ValidUntil));
        SecureFile.WriteAllText(_file, JsonSerializer.Serialize(records));
    }

    private sealed record StoredKey(string Id, string? Secret, DateTimeOffset CreatedAt, DateTimeOffset? ValidUntil);
}

/// <summary>Writes files only the owner can read (0600), atomically (write then rename), so a crash never leaves half a file.</summary>
public static class SecureFile
{
    public static void WriteAllText(string path, string content)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}

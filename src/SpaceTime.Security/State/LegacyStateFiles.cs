using System.Text.Json;
using System.Text.Json.Nodes;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.State;

/// <summary>
/// <c>security/tokens.json</c> and <c>security/signing-keys.json</c> as earlier versions wrote them. They are read
/// once into the state database and renamed <c>*.migrated</c>. A file that is empty or of the wrong shape
/// (<c>{}</c>, <c>null</c>, <c>[]</c>) is damage, never "no revocations" or "no keys": start-up stops naming it.
/// </summary>
internal static class LegacyStateFiles
{
    public const string TokensFile = "tokens.json";
    public const string KeysFile = "signing-keys.json";

    public sealed record Session(string Jti, long ExpiresAt, long IssuedAt);

    public sealed record TokenState(Dictionary<string, long> Revoked, Dictionary<string, List<Session>> Sessions);

    public sealed record Contents(string TokensPath, TokenState? Tokens, string KeysPath, List<SigningKey>? Keys);

    public static Contents Read(string dataDir)
    {
        var folder = Path.Combine(dataDir, "security");
        var tokensPath = Path.Combine(folder, TokensFile);
        var keysPath = Path.Combine(folder, KeysFile);
        return new Contents(tokensPath, File.Exists(tokensPath) ? ReadTokens(tokensPath) : null, keysPath, File.Exists(keysPath) ? ReadKeys(keysPath) : null);
    }

    public static void MarkMigrated(Contents contents)
    {
        foreach (var path in new[] { contents.TokensPath, contents.KeysPath })
        {
            if (File.Exists(path))
            {
                File.Move(path, path + ".migrated", overwrite: true);
            }
        }
    }

    private static TokenState ReadTokens(string path)
    {
        const string shape = "it must be a JSON object with \"Revoked\" (object of token id → expiry) and \"Sessions\" (object of subject → list)";
        var root = Parse(path, shape) as JsonObject ?? throw Damaged(path, shape);
        if (root["Revoked"] is not JsonObject revoked || root["Sessions"] is not JsonObject sessions)
        {
            throw Damaged(path, shape);
        }

        try
        {
            return new TokenState(
                revoked.ToDictionary(p => p.Key, p => p.Value!.GetValue<long>(), StringComparer.Ordinal),
                sessions.ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(s => new Session(
                    s!["Jti"]!.GetValue<string>(), s["ExpiresAt"]!.GetValue<long>(), s["IssuedAt"]!.GetValue<long>())).ToList(), StringComparer.Ordinal));
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw Damaged(path, shape);
        }
    }

    private static List<SigningKey> ReadKeys(string path)
    {
        const string shape = "it must be a non-empty JSON array of keys (Id, Secret, CreatedAt, ValidUntil)";
        var root = Parse(path, shape) as JsonArray ?? throw Damaged(path, shape);
        if (root.Count == 0)
        {
            throw Damaged(path, shape);
        }

        try
        {
            return root.Select(k => new SigningKey(
                k!["Id"]!.GetValue<string>(),
                k["Secret"] is { } secret ? Convert.FromBase64String(secret.GetValue<string>()) : [],
                k["CreatedAt"]!.GetValue<DateTimeOffset>(),
                k["ValidUntil"]?.GetValue<DateTimeOffset>())).ToList();
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw Damaged(path, shape);
        }
    }

    private static JsonNode? Parse(string path, string shape)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"{shape}; it is not valid JSON ({e.Message})");
        }
    }

    private static SecurityConfigurationException Damaged(string path, string shape) => new(path, "$",
        $"the file is damaged: {shape}. Restore it from a backup; or, to give up what it held (revocations or signing keys), move it away and start again");
}

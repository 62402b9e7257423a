using System.Text.Json;
using SpaceTime.Security;
using SpaceTime.Security.Configuration;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Runtime.Whitelist;

public sealed record WhitelistDecision(bool Allowed, string Reason);

/// <summary>
/// Which scenes may be loaded through the API, per environment (<c>config/scene_whitelist.json</c>): exact
/// <c>scenes</c>, <c>directories</c> (prefixes), <c>wildcards</c> (<c>*</c> = one path segment, <c>**</c> = any number)
/// and a <c>blacklist</c> that wins over all of them. Paths are validated and canonicalised before matching.
/// Without an entry for the environment, production allows only <c>res://vr_main.tscn</c>; other environments allow all.
/// </summary>
public sealed class SceneWhitelist
{
    public const string ProductionDefaultScene = "res://vr_main.tscn";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private volatile Rules _rules;

    private readonly IReadOnlyList<string>? _scenes;

    /// <param name="file">scene_whitelist.json.</param>
    /// <param name="environment">The entry of the file that applies.</param>
    /// <param name="scenes">Scenes that replace the environment's entry (<c>SCENE_WHITELIST</c>); the file's blacklist still applies.</param>
    public SceneWhitelist(string file, string environment, IReadOnlyList<string>? scenes = null)
    {
        File = file;
        Environment = environment;
        _scenes = scenes;
        _rules = Read(file, environment, scenes);
    }

    public string File { get; }

    public string Environment { get; }

    /// <summary>A one-line description for the start-up log and <c>/admin/whitelist</c>.</summary>
    public string Summary => _rules.Summary;

    public WhitelistSnapshot Snapshot()
    {
        var r = _rules;
        return new WhitelistSnapshot(Environment, File, r.Source, r.Scenes, r.Directories, r.Wildcards, r.BlacklistExact, r.BlacklistPatterns);
    }

    /// <summary>Reads the file again; on error the rules in force stay and the error is thrown.</summary>
    public void Reload() => _rules = Read(File, Environment, _scenes);

    public WhitelistDecision Check(string? path)
    {
        if (!ResourcePath.TryCanonicalizeScene(path, out var canonical, out var error))
        {
            return new WhitelistDecision(false, $"invalid scene path: {error}");
        }

        var r = _rules;
        if (r.BlacklistExact.Contains(canonical) || r.BlacklistPatterns.Any(p => WildcardPattern.Matches(p, canonical)))
        {
            return new WhitelistDecision(false, $"{canonical} is blacklisted");
        }

        if (r.Scenes.Contains(canonical))
        {
            return new WhitelistDecision(true, "listed scene");
        }

        if (r.Directories.FirstOrDefault(d => canonical.StartsWith(d, StringComparison.Ordinal)) is { } directory)
        {
            return new WhitelistDecision(true, $"under {directory}");
        }

        if (r.Wildcards.FirstOrDefault(w => WildcardPattern.Matches(w, canonical)) is { } wildcard)
        {
            return new WhitelistDecision(true, $"matches {wildcard}");
        }

        return new WhitelistDecision(false, $"scene {canonical} is not whitelisted in environment '{Environment}'");
    }

    private static Rules Read(string file, string environment, IReadOnlyList<string>? overrideScenes)
    {
        WhitelistFile? content = null;
        if (System.IO.File.Exists(file))
        {
            try
            {
                content = JsonSerializer.Deserialize<WhitelistFile>(System.IO.File.ReadAllText(file), Json);
            }
            catch (JsonException e)
            {
                var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path.TrimStart('$', '.');
                throw UnknownKey(file, path, e.Message)
                      ?? new SecurityConfigurationException(file, path, $"invalid whitelist ({e.Message.Split(". ")[0]})");
            }
        }

        var blacklistExact = Canonical(file, "blacklist.exact", content?.Blacklist?.Exact ?? [], requireScene: true);
        var blacklistPatterns = Patterns(file, "blacklist.patterns", content?.Blacklist?.Patterns ?? []);
        if (overrideScenes is not null)
        {
            return new Rules($"SCENE_WHITELIST [{environment}]", Canonical("SCENE_WHITELIST", "SCENE_WHITELIST", [.. overrideScenes], requireScene: true), [], [], blacklistExact, blacklistPatterns);
        }

        if (content?.Environments?.TryGetValue(environment, out var entry) == true && entry is not null)
        {
            var scenes = Canonical(file, $"environments.{environment}.scenes", entry.Scenes ?? [], requireScene: true);
            var directories = Canonical(file, $"environments.{environment}.directories", entry.Directories ?? [], requireScene: false)
                .Select(d => d.EndsWith('/') ? d : d + "/").ToList();
            var wildcards = Patterns(file, $"environments.{environment}.wildcards", entry.Wildcards ?? []);
            return new Rules($"{file} [{environment}]", scenes, directories, wildcards, blacklistExact, blacklistPatterns);
        }

        // No entry for this environment: production is closed by default, the others open.
        return environment == "production"
            ? new Rules($"built-in production default ({ProductionDefaultScene} only)", [ProductionDefaultScene], [], [], blacklistExact, blacklistPatterns)
            : new Rules($"built-in {environment} default (every scene under res://)", [], [ResourcePath.Prefix], [], blacklistExact, blacklistPatterns);
    }

    /// <summary>For a key the file format does not have: the key's path and a "did you mean" when it is close to a known one.</summary>
    private static SecurityConfigurationException? UnknownKey(string file, string path, string message)
    {
        const string marker = "The JSON property '";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0 || !message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return null;
        }

        start += marker.Length;
        var name = message[start..message.IndexOf('\'', start)];
        // Depending on where the reader stopped, the path may already end with the key's name.
        var key = path == "$" ? name : path == name || path.EndsWith("." + name, StringComparison.Ordinal) ? path : $"{path}.{name}";
        var suggestion = ConfigurationLoader.Suggest(name, ["description", "environments", "blacklist", "scenes", "directories", "wildcards", "patterns", "exact"]);
        return new SecurityConfigurationException(file, key, suggestion is null ? "unknown key" : $"unknown key (did you mean '{suggestion}'?)");
    }

    private static List<string> Canonical(string file, string key, List<string> paths, bool requireScene)
    {
        var result = new List<string>();
        foreach (var path in paths)
        {
            var ok = requireScene
                ? ResourcePath.TryCanonicalizeScene(path, out var canonical, out var error)
                : ResourcePath.TryCanonicalize(path, out canonical, out error);
            if (!ok)
            {
                throw new SecurityConfigurationException(file, key, $"'{path}': {error}");
            }

            result.Add(path == ResourcePath.Prefix ? ResourcePath.Prefix : canonical);
        }

        return result;
    }

    private static List<string> Patterns(string file, string key, List<string> patterns)
    {
        foreach (var pattern in patterns)
        {
            if (!pattern.StartsWith(ResourcePath.Prefix, StringComparison.Ordinal) || pattern.Contains(".."))
            {
                throw new SecurityConfigurationException(file, key, $"'{pattern}': patterns start with 'res://' and contain no '..'");
            }
        }

        return patterns;
    }

    private sealed record Rules(string Source, List<string> Scenes, List<string> Directories, List<string> Wildcards, List<string> BlacklistExact, List<string> BlacklistPatterns)
    {
        public string Summary => $"{Source}: {Scenes.Count} scenes, {Directories.Count} directories, {Wildcards.Count} wildcards, {BlacklistExact.Count + BlacklistPatterns.Count} blacklist entries";
    }

    private sealed class WhitelistFile
    {
        public string? Description { get; set; }

        public Dictionary<string, EnvironmentEntry?>? Environments { get; set; }

        public BlacklistEntry? Blacklist { get; set; }
    }

    private sealed class EnvironmentEntry
    {
        public string? Description { get; set; }

        public List<string>? Scenes { get; set; }

        public List<string>? Directories { get; set; }

        public List<string>? Wildcards { get; set; }
    }

    private sealed class BlacklistEntry
    {
        public List<string>? Patterns { get; set; }

        public List<string>? Exact { get; set; }
    }
}

public sealed record WhitelistSnapshot(
    string Environment,
    string File,
    string Source,
    IReadOnlyList<string> Scenes,
    IReadOnlyList<string> Directories,
    IReadOnlyList<string> Wildcards,
    IReadOnlyList<string> BlacklistExact,
    IReadOnlyList<string> BlacklistPatterns);

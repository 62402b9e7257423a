using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>A private copy of the shipped <c>config/</c> folder that a test may edit without touching other tests.</summary>
public sealed class ConfigFolder : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private ConfigFolder(string path) => Path = path;

    public string Path { get; }

    public string WhitelistFile => File("scene_whitelist.json");

    /// <summary>Copies the config folder that the build places beside the test binary.</summary>
    public static ConfigFolder CopyOfShipped()
    {
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "config");
        var target = RuntimeApiFixture.NewTempFolder("config");
        foreach (var file in Directory.EnumerateFiles(source, "*.json"))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }

        return new ConfigFolder(target);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Parses <paramref name="name"/>, lets <paramref name="edit"/> change it, and writes it back.</summary>
    public void Edit(string name, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(System.IO.File.ReadAllText(File(name)))!.AsObject();
        edit(root);
        System.IO.File.WriteAllText(File(name), root.ToJsonString(Indented));
    }

    public void Write(string name, string text) => System.IO.File.WriteAllText(File(name), text);

    /// <summary>Sets <c>rate_limiting.per_endpoint_limits</c> (replacing the shipped ones) and other rate-limit keys.</summary>
    public void SetRateLimits(string environment, IReadOnlyDictionary<string, int> perEndpoint, IReadOnlyDictionary<string, JsonNode>? other = null) =>
        Edit($"security_{environment}.json", root =>
        {
            var rate = root["rate_limiting"]!.AsObject();
            var limits = new JsonObject();
            foreach (var (path, limit) in perEndpoint)
            {
                limits[path] = limit;
            }

            rate["per_endpoint_limits"] = limits;
            foreach (var (key, value) in other ?? new Dictionary<string, JsonNode>())
            {
                rate[key] = value.DeepClone();
            }
        });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

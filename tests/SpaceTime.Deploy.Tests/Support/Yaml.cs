using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace SpaceTime.Deploy.Tests.Support;

/// <summary>YAML read into JSON nodes for structural assertions (scalars stay strings; the real validators check types).</summary>
internal static class Yaml
{
    public static JsonNode Load(string path) => Parse(File.ReadAllText(path));

    public static JsonNode Parse(string text) =>
        ToJson(new DeserializerBuilder().Build().Deserialize<object>(text)) ?? throw new InvalidDataException("empty YAML document");

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.ToString()!, ToJson(p.Value)))),
        IList<object> list => new JsonArray([.. list.Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using SpaceTime.Engine.Formats;

namespace SpaceTime.Runtime.Nodes;

/// <summary>
/// Godot values as JSON and back. Vectors, quaternions and colours become objects of named components; other math
/// types <c>{"type", "components"}</c>; resource references <c>{"resource", "id"}</c>; anything else its Godot text.
/// Reading back is type-checked against the value the node stores.
/// </summary>
public static class VariantJson
{
    private static readonly string[] Xyzw = ["x", "y", "z", "w"];
    private static readonly string[] Rgba = ["r", "g", "b", "a"];

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(VariantWriter.Write(d)),
        string s => JsonValue.Create(s),
        StringName n => JsonValue.Create(n.Value),
        NodePath p => JsonValue.Create(p.Path),
        MathValue m when ComponentNames(m.TypeName) is { } names => Components(m, names),
        MathValue m => new JsonObject { ["type"] = m.TypeName, ["components"] = new JsonArray([.. m.Components.Select(c => (JsonNode?)JsonValue.Create(c))]) },
        ResourceRef r => new JsonObject { ["resource"] = r.Kind == ResourceRefKind.External ? "ExtResource" : "SubResource", ["id"] = r.Id },
        VariantArray a => new JsonArray([.. a.Items.Select(ToJson)]),
        _ => new JsonObject { ["godot"] = VariantWriter.Write(value) },
    };

    /// <summary>Reads <paramref name="json"/> as a value of the same type as <paramref name="current"/>; the error says what was expected.</summary>
    public static bool TryFromJson(JsonElement json, object? current, out object? value, out string error)
    {
        value = null;
        error = "";
        switch (current)
        {
            case bool:
                if (json.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    value = json.GetBoolean();
                    return true;
                }

                error = "expected true or false";
                return false;
            case long or int:
                if (json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var l))
                {
                    value = l;
                    return true;
                }

                error = "expected an integer";
                return false;
            case double:
                if (json.ValueKind == JsonValueKind.Number && double.IsFinite(json.GetDouble()))
                {
                    value = json.GetDouble();
                    return true;
                }

                error = "expected a number";
                return false;
            case string or StringName or NodePath:
                if (json.ValueKind == JsonValueKind.String)
                {
                    var s = json.GetString()!;
                    value = current switch { StringName => new StringName(s), NodePath => new NodePath(s), _ => s };
                    return true;
                }

                error = "expected a string";
                return false;
            case MathValue m:
                return TryMath(json, m.TypeName, m.Components.Length, out value, out error);
            default:
                error = $"a {Describe(current)} property cannot be set (only booleans, numbers, strings and math values)";
                return false;
        }
    }

    /// <summary>Loose equality for conditions: numbers within 1e-6, objects and arrays member by member.</summary>
    public static bool JsonEquals(JsonNode? a, JsonElement b)
    {
        if (a is null)
        {
            return b.ValueKind == JsonValueKind.Null;
        }

        return a.GetValueKind() switch
        {
            JsonValueKind.Number => b.ValueKind == JsonValueKind.Number && Math.Abs(a.GetValue<double>() - b.GetDouble()) <= 1e-6,
            JsonValueKind.String => b.ValueKind == JsonValueKind.String && a.GetValue<string>() == b.GetString(),
            JsonValueKind.True or JsonValueKind.False => b.ValueKind is JsonValueKind.True or JsonValueKind.False && a.GetValue<bool>() == b.GetBoolean(),
            JsonValueKind.Array => b.ValueKind == JsonValueKind.Array && a.AsArray().Count == b.GetArrayLength()
                                   && a.AsArray().Zip(b.EnumerateArray()).All(p => JsonEquals(p.First, p.Second)),
            JsonValueKind.Object => b.ValueKind == JsonValueKind.Object && a.AsObject().Count == b.EnumerateObject().Count()
                                    && a.AsObject().All(p => b.TryGetProperty(p.Key, out var v) && JsonEquals(p.Value, v)),
            _ => false,
        };
    }

    public static string Describe(object? value) => value switch
    {
        null => "null",
        bool => "bool",
        long or int => "int",
        double => "float",
        string => "String",
        StringName => "StringName",
        NodePath => "NodePath",
        MathValue m => m.TypeName,
        ResourceRef => "resource",
        _ => value.GetType().Name,
    };

    internal static bool TryMath(JsonElement json, string typeName, int count, out object? value, out string error)
    {
        value = null;
        var names = ComponentNames(typeName);
        var components = new double[count];
        if (json.ValueKind == JsonValueKind.Array && json.GetArrayLength() == count && json.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
        {
            var i = 0;
            foreach (var e in json.EnumerateArray())
            {
                components[i++] = e.GetDouble();
            }
        }
        else if (names is not null && json.ValueKind == JsonValueKind.Object)
        {
            for (var i = 0; i < count; i++)
            {
                if (!json.TryGetProperty(names[i], out var c) || c.ValueKind != JsonValueKind.Number)
                {
                    error = $"expected a {typeName} {{{string.Join(", ", names.Take(count))}}} (missing or non-numeric '{names[i]}')";
                    return false;
                }

                components[i] = c.GetDouble();
            }
        }
        else
        {
            error = names is null
                ? $"expected a {typeName} as an array of {count} numbers"
                : $"expected a {typeName} as {{{string.Join(", ", names.Take(count))}}} or an array of {count} numbers";
            return false;
        }

        if (components.Any(c => !double.IsFinite(c)))
        {
            error = $"{typeName} components must be finite numbers";
            return false;
        }

        if (typeName.EndsWith('i') && components.Any(c => c != Math.Floor(c)))
        {
            error = $"{typeName} components must be integers";
            return false;
        }

        value = MathValue.Of(typeName, components);
        error = "";
        return true;
    }

    private static string[]? ComponentNames(string typeName) => typeName switch
    {
        "Vector2" or "Vector2i" or "Vector3" or "Vector3i" or "Vector4" or "Vector4i" or "Quaternion" => Xyzw,
        "Color" => Rgba,
        _ => null,
    };

    private static JsonObject Components(MathValue m, string[] names)
    {
        var o = new JsonObject();
        for (var i = 0; i < m.Components.Length && i < names.Length; i++)
        {
            o[names[i]] = m.IsInteger ? JsonValue.Create((long)m.Components[i]) : JsonValue.Create(m.Components[i]);
        }

        return o;
    }
}

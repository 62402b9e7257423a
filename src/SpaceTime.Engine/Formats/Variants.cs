using System.Collections.Immutable;
using System.Numerics;
using SpaceTime.Engine.Spatial;

namespace SpaceTime.Engine.Formats;

// Godot Variant values as read from text files. Primitive variants map onto .NET values:
// null, bool, long (int), double (float), string (String). The records below cover the rest.

/// <summary>A <c>&amp;"name"</c> StringName literal.</summary>
public sealed record StringName(string Value);

/// <summary>A <c>^"path"</c> or <c>NodePath("path")</c> literal.</summary>
public sealed record NodePath(string Path);

/// <summary>A reference to an <c>ext_resource</c> or <c>sub_resource</c> by id.</summary>
public sealed record ResourceRef(ResourceRefKind Kind, string Id);

public enum ResourceRefKind
{
    External,
    Sub,
}

/// <summary>
/// A math value written as a constructor of numbers: Vector2/2i/3/3i/4/4i, Rect2/2i, Transform2D/3D,
/// Basis, Quaternion, Plane, AABB, Color, Projection. Components keep the file's order.
/// </summary>
public sealed class MathValue : IEquatable<MathValue>
{
    private static readonly ImmutableDictionary<string, int> ComponentCounts = new Dictionary<string, int>
    {
        ["Vector2"] = 2, ["Vector2i"] = 2, ["Vector3"] = 3, ["Vector3i"] = 3, ["Vector4"] = 4, ["Vector4i"] = 4,
        ["Rect2"] = 4, ["Rect2i"] = 4, ["Transform2D"] = 6, ["Transform3D"] = 12, ["Basis"] = 9,
        ["Quaternion"] = 4, ["Plane"] = 4, ["AABB"] = 6, ["Color"] = 4, ["Projection"] = 16,
    }.ToImmutableDictionary();

    public MathValue(string typeName, ImmutableArray<double> components)
    {
        TypeName = typeName;
        Components = components;
    }

    public string TypeName { get; }

    public ImmutableArray<double> Components { get; }

    /// <summary>True for the integer vector and rect types, whose components are written without a fraction.</summary>
    public bool IsInteger => TypeName.EndsWith('i');

    public static bool IsMathType(string name) => ComponentCounts.ContainsKey(name);

    /// <summary>Number of components Godot writes for a type; Color also accepts 3 (alpha 1).</summary>
    public static bool AcceptsComponentCount(string name, int count) =>
        ComponentCounts.TryGetValue(name, out var expected) && (count == expected || (name == "Color" && count == 3));

    public static MathValue Of(string typeName, params double[] components) => new(typeName, [.. components]);

    public Vector3 ToVector3() => TypeName is "Vector3" or "Vector3i"
        ? new Vector3((float)Components[0], (float)Components[1], (float)Components[2])
        : throw new InvalidOperationException($"{TypeName} is not a Vector3");

    /// <summary>Converts a Transform3D (basis columns x, y, z then origin, as Godot writes it) into a matrix.</summary>
    public Transform3D ToTransform3D() => TypeName switch
    {
        "Transform3D" => Transform3D.FromGodotComponents(Components.AsSpan()),
        _ => throw new InvalidOperationException($"{TypeName} is not a Transform3D"),
    };

    public Quaternion ToQuaternion() => TypeName == "Quaternion"
        ? new Quaternion((float)Components[0], (float)Components[1], (float)Components[2], (float)Components[3])
        : throw new InvalidOperationException($"{TypeName} is not a Quaternion");

    public bool Equals(MathValue? other) =>
        other is not null && TypeName == other.TypeName && Components.AsSpan().SequenceEqual(other.Components.AsSpan(), NaNAwareComparer.Instance);

    public override bool Equals(object? obj) => obj is MathValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(TypeName, Components.Length);

    public override string ToString() => VariantWriter.Write(this);
}

/// <summary>An <c>Array</c> or typed <c>Array[T]([...])</c>.</summary>
public sealed class VariantArray(IReadOnlyList<object?> items, string? elementType = null) : IEquatable<VariantArray>
{
    public IReadOnlyList<object?> Items { get; } = items;

    /// <summary>The element type of a typed array, e.g. <c>NodePath</c>; null when untyped.</summary>
    public string? ElementType { get; } = elementType;

    public bool Equals(VariantArray? other) =>
        other is not null && ElementType == other.ElementType && Items.SequenceEqual(other.Items, VariantComparer.Instance);

    public override bool Equals(object? obj) => obj is VariantArray other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(ElementType, Items.Count);

    public override string ToString() => VariantWriter.Write(this);
}

/// <summary>A <c>{key: value}</c> dictionary or typed <c>Dictionary[K, V]({...})</c>, in file order.</summary>
public sealed class VariantDictionary(IReadOnlyList<KeyValuePair<object?, object?>> entries, string? keyType = null, string? valueType = null)
    : IEquatable<VariantDictionary>
{
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries { get; } = entries;

    public string? KeyType { get; } = keyType;

    public string? ValueType { get; } = valueType;

    public object? this[string key] => Entries.FirstOrDefault(e => e.Key is string s && s == key).Value;

    public bool Equals(VariantDictionary? other) =>
        other is not null && KeyType == other.KeyType && ValueType == other.ValueType && Entries.Count == other.Entries.Count
        && Entries.Zip(other.Entries).All(p => VariantComparer.Instance.Equals(p.First.Key, p.Second.Key)
                                               && VariantComparer.Instance.Equals(p.First.Value, p.Second.Value));

    public override bool Equals(object? obj) => obj is VariantDictionary other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(KeyType, ValueType, Entries.Count);

    public override string ToString() => VariantWriter.Write(this);
}

/// <summary>
/// A Packed*Array. <see cref="Values"/> holds numbers as double (float/vector/color arrays, flattened),
/// long (int arrays), byte (byte arrays) or string (string arrays).
/// </summary>
public sealed class PackedArray(string typeName, Array values) : IEquatable<PackedArray>
{
    public string TypeName { get; } = typeName;

    public Array Values { get; } = values;

    public int Count => Values.Length;

    public static bool IsPackedType(string name) => ElementKind(name) is not null;

    internal static PackedElementKind? ElementKind(string name) => name switch
    {
        "PackedByteArray" => PackedElementKind.Byte,
        "PackedInt32Array" or "PackedInt64Array" => PackedElementKind.Integer,
        "PackedFloat32Array" or "PackedFloat64Array" or "PackedVector2Array" or "PackedVector3Array"
            or "PackedVector4Array" or "PackedColorArray" => PackedElementKind.Real,
        "PackedStringArray" => PackedElementKind.String,
        _ => null,
    };

    public bool Equals(PackedArray? other)
    {
        if (other is null || TypeName != other.TypeName || Values.Length != other.Values.Length)
        {
            return false;
        }

        return (Values, other.Values) switch
        {
            (double[] a, double[] b) => a.AsSpan().SequenceEqual(b, NaNAwareComparer.Instance),
            (long[] a, long[] b) => a.AsSpan().SequenceEqual(b),
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (string[] a, string[] b) => a.AsSpan().SequenceEqual(b),
            _ => false,
        };
    }

    public override bool Equals(object? obj) => obj is PackedArray other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(TypeName, Values.Length);

    public override string ToString() => VariantWriter.Write(this);
}

internal enum PackedElementKind
{
    Byte,
    Integer,
    Real,
    String,
}

/// <summary>An inline <c>Object(Class, "prop": value, ...)</c>, as project.godot writes input events.</summary>
public sealed class ObjectValue(string className, IReadOnlyList<KeyValuePair<string, object?>> properties) : IEquatable<ObjectValue>
{
    public string ClassName { get; } = className;

    public IReadOnlyList<KeyValuePair<string, object?>> Properties { get; } = properties;

    public bool Equals(ObjectValue? other) =>
        other is not null && ClassName == other.ClassName && Properties.Count == other.Properties.Count
        && Properties.Zip(other.Properties).All(p => p.First.Key == p.Second.Key && VariantComparer.Instance.Equals(p.First.Value, p.Second.Value));

    public override bool Equals(object? obj) => obj is ObjectValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(ClassName, Properties.Count);

    public override string ToString() => VariantWriter.Write(this);
}

/// <summary>Any other constructor the text format allows (<c>Callable()</c>, <c>Signal()</c>, <c>RID()</c>...), kept verbatim.</summary>
public sealed class ConstructorValue(string name, IReadOnlyList<object?> arguments) : IEquatable<ConstructorValue>
{
    public string Name { get; } = name;

    public IReadOnlyList<object?> Arguments { get; } = arguments;

    public bool Equals(ConstructorValue? other) =>
        other is not null && Name == other.Name && Arguments.SequenceEqual(other.Arguments, VariantComparer.Instance);

    public override bool Equals(object? obj) => obj is ConstructorValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Name, Arguments.Count);

    public override string ToString() => VariantWriter.Write(this);
}

/// <summary>Structural equality over variant values, where NaN equals NaN (as a round trip needs).</summary>
public sealed class VariantComparer : IEqualityComparer<object?>
{
    public static VariantComparer Instance { get; } = new();

    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (double a, double b) => NaNAwareComparer.Instance.Equals(a, b),
        _ => x is not null && x.Equals(y),
    };

    public int GetHashCode(object? obj) => obj?.GetHashCode() ?? 0;
}

internal sealed class NaNAwareComparer : IEqualityComparer<double>
{
    public static NaNAwareComparer Instance { get; } = new();

    public bool Equals(double x, double y) => x.Equals(y);

    public int GetHashCode(double obj) => obj.GetHashCode();
}

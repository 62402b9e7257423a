using FsCheck;
using FsCheck.Fluent;
using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

/// <summary>A generated Variant value; wrapped so FsCheck prints it in Godot's text form.</summary>
public sealed record GeneratedVariant(object? Value)
{
    public override string ToString() => Value is null ? "null" : $"{Value.GetType().Name}: {VariantWriter.Write(Value)}";
}

/// <summary>FsCheck generators for every Variant shape the reader and writer support, with bounded nesting.</summary>
public static class VariantGenerators
{
    private const int MaxDepth = 3;

    private static readonly (string Name, int Count)[] MathTypes =
    [
        ("Vector2", 2), ("Vector2i", 2), ("Vector3", 3), ("Vector3i", 3), ("Vector4", 4), ("Vector4i", 4),
        ("Rect2", 4), ("Rect2i", 4), ("Transform2D", 6), ("Transform3D", 12), ("Basis", 9), ("Quaternion", 4),
        ("Plane", 4), ("AABB", 6), ("Color", 4), ("Color", 3), ("Projection", 16),
    ];

    private static readonly string[] ElementTypes = ["int", "float", "String", "NodePath", "StringName", "Vector3", "Object"];

    public static Arbitrary<GeneratedVariant> Variants() => Arb.From(Value(MaxDepth).Select(v => new GeneratedVariant(v)));

    /// <summary>Strings biased towards the characters the text format must escape or keep verbatim.</summary>
    public static Gen<string> Text() =>
        Gen.Frequency(
                (6, Gen.Elements('a', 'Z', '0', ' ', '_', '/', ':', ',', '[', ']', '{', '}', '(', ')', '=', ';', '#')),
                (3, Gen.Elements('"', '\\', '\n', '\t', '\r', '\'')),
                (2, Gen.Elements('é', 'ß', '中', '\u00a0', '\u200b', 'Ω')),
                (1, Gen.Choose(0x20, 0xD7FF).Select(c => (char)c)))
            .ArrayOf()
            .Select(chars => new string(chars))
            .Or(Gen.Elements("", "\\u00e9", "😀 emoji", "\\\"", "line1\nline2\n", "ExtResource(\"1\")", "inf", "null"));

    public static Gen<double> Real() =>
        Gen.Frequency(
            (4, Gen.Choose(-100_000, 100_000).Select(i => i / 100.0)),
            (2, Gen.Choose(int.MinValue, int.MaxValue).Two().Select(p => BitConverter.Int64BitsToDouble(((long)p.Item1 << 32) | (uint)p.Item2))),
            (1, Gen.Elements(
                0.0, -0.0, 1.0, -1.5, 0.1, 1e-05, 1e20, -3.5e-300, double.Epsilon, double.MaxValue, double.MinValue,
                double.PositiveInfinity, double.NegativeInfinity, double.NaN)));

    private static Gen<long> Integer() =>
        Gen.Frequency(
            (4, Gen.Choose(-1000, 1000).Select(i => (long)i)),
            (2, Gen.Choose(int.MinValue, int.MaxValue).Select(i => (long)i)),
            (1, Gen.Elements(0L, long.MaxValue, long.MinValue, 1L << 53, (1L << 53) + 1)));

    private static Gen<string> Identifier() => Gen.Elements("InputEventKey", "Node3D", "Resource", "_Custom2", "InputEventJoypadButton");

    private static Gen<object?> Value(int depth)
    {
        var leaves = new List<(int, Gen<object?>)>
        {
            (1, Gen.Constant<object?>(null)),
            (1, Gen.Elements(true, false).Select(b => (object?)b)),
            (3, Integer().Select(l => (object?)l)),
            (3, Real().Select(d => (object?)d)),
            (3, Text().Select(s => (object?)s)),
            (1, Text().Select(s => (object?)new StringName(s))),
            (1, Text().Select(s => (object?)new NodePath(s))),
            (3, Math().Select(m => (object?)m)),
            (3, Packed().Select(p => (object?)p)),
            (1, Gen.Elements(ResourceRefKind.External, ResourceRefKind.Sub).Zip(Text())
                .Select(p => (object?)new ResourceRef(p.Item1, p.Item2))),
        };
        if (depth > 0)
        {
            var inner = Value(depth - 1);
            var items = Gen.Choose(0, 4).SelectMany(n => inner.ArrayOf(n));
            leaves.Add((2, items.Zip(Gen.Elements(ElementTypes).OrNull())
                .Select(p => (object?)new VariantArray(p.Item1, p.Item2))));
            var entries = Gen.Choose(0, 3).SelectMany(n => inner.Zip(inner).ArrayOf(n))
                .Select(list => (IReadOnlyList<KeyValuePair<object?, object?>>)list.Select(e => new KeyValuePair<object?, object?>(e.Item1, e.Item2)).ToList());
            var types = Gen.Elements<(string?, string?)>((null, null), ("String", "int"), ("StringName", "Variant"), ("int", "Array[String]"));
            leaves.Add((2, entries.Zip(types).Select(p => (object?)new VariantDictionary(p.Item1, p.Item2.Item1, p.Item2.Item2))));
            var properties = Gen.Choose(0, 3).SelectMany(n => Text().Zip(inner).ArrayOf(n))
                .Select(list => (IReadOnlyList<KeyValuePair<string, object?>>)list.Select(e => new KeyValuePair<string, object?>(e.Item1, e.Item2)).ToList());
            leaves.Add((1, Identifier().Zip(properties).Select(p => (object?)new ObjectValue(p.Item1, p.Item2))));
        }

        return Gen.Frequency(leaves);
    }

    public static Gen<MathValue> Math() =>
        Gen.Elements(MathTypes).SelectMany(t =>
        {
            var component = t.Name.EndsWith('i') ? Gen.Choose(-100_000, 100_000).Select(i => (double)i) : Real();
            return component.ArrayOf(t.Count).Select(c => new MathValue(t.Name, [.. c]));
        });

    public static Gen<PackedArray> Packed()
    {
        var count = Gen.Choose(0, 6);
        return Gen.OneOf(
            count.SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)).Select(v => new PackedArray("PackedByteArray", v)),
            count.SelectMany(n => Gen.Choose(int.MinValue, int.MaxValue).Select(i => (long)i).ArrayOf(n)).Select(v => new PackedArray("PackedInt32Array", v)),
            count.SelectMany(n => Real().ArrayOf(n)).Select(v => new PackedArray("PackedFloat32Array", v)),
            count.SelectMany(n => Real().ArrayOf(n)).Select(v => new PackedArray("PackedFloat64Array", v)),
            count.SelectMany(n => Real().ArrayOf(n * 3)).Select(v => new PackedArray("PackedVector3Array", v)),
            count.SelectMany(n => Real().ArrayOf(n * 4)).Select(v => new PackedArray("PackedColorArray", v)),
            count.SelectMany(n => Text().ArrayOf(n)).Select(v => new PackedArray("PackedStringArray", v)));
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

/// <summary>Whatever the writer produces, the reader reads back as the same value.</summary>
public sealed class VariantRoundTripTests
{
    [Property(Arbitrary = [typeof(VariantGenerators)], MaxTest = 500)]
    public bool AnyVariant_WrittenThenRead_EqualsOriginal(GeneratedVariant variant)
    {
        var text = VariantWriter.Write(variant.Value);

        return VariantComparer.Instance.Equals(variant.Value, VariantReader.Parse(text));
    }

    [Property(Arbitrary = [typeof(VariantGenerators)], MaxTest = 200)]
    public bool AnyVariant_WrittenTwice_IsStable(GeneratedVariant variant)
    {
        var once = VariantWriter.Write(variant.Value);

        return VariantWriter.Write(VariantReader.Parse(once)) == once;
    }

    [Property(MaxTest = 300)]
    public Property AnyString_WrittenThenRead_IsIdentical() =>
        Prop.ForAll(VariantGenerators.Text().ToArbitrary(), s => VariantReader.Parse(VariantWriter.Write(s)) as string == s);

    [Property(MaxTest = 300)]
    public Property AnyDouble_WrittenThenRead_IsADoubleWithTheSameBits() =>
        Prop.ForAll(VariantGenerators.Real().ToArbitrary(), d =>
            VariantReader.Parse(VariantWriter.Write(d)) is double read
            && (double.IsNaN(d) ? double.IsNaN(read) : BitConverter.DoubleToInt64Bits(read) == BitConverter.DoubleToInt64Bits(d)));

    [Property(MaxTest = 300)]
    public bool AnyLong_WrittenThenRead_IsTheSameLong(long value) =>
        VariantReader.Parse(VariantWriter.Write(value)) is long read && read == value;

    [Property(MaxTest = 200)]
    public Property AnyMathValue_WrittenThenRead_KeepsTypeAndComponents() =>
        Prop.ForAll(VariantGenerators.Math().ToArbitrary(), m =>
            VariantReader.Parse(VariantWriter.Write(m)) is MathValue read
            && read.TypeName == m.TypeName
            && read.Components.Length == m.Components.Length
            && read.Equals(m));

    [Property(MaxTest = 200)]
    public Property AnyPackedArray_WrittenThenRead_KeepsElementKind() =>
        Prop.ForAll(VariantGenerators.Packed().ToArbitrary(), p =>
            VariantReader.Parse(VariantWriter.Write(p)) is PackedArray read
            && read.Values.GetType() == p.Values.GetType()
            && read.Equals(p));

    [Fact]
    public void Comparer_DifferentValues_AreNotEqual()
    {
        // Guards the property above: the comparer must be able to say "different".
        Assert.False(VariantComparer.Instance.Equals(1L, 1.0));
        Assert.False(VariantComparer.Instance.Equals(MathValue.Of("Vector3", 1, 2, 3), MathValue.Of("Vector3", 1, 2, 4)));
        Assert.False(VariantComparer.Instance.Equals(new VariantArray([1L], "int"), new VariantArray([1L])));
        Assert.False(VariantComparer.Instance.Equals(new PackedArray("PackedInt32Array", new long[] { 1 }), new PackedArray("PackedInt64Array", new long[] { 1 })));
        Assert.False(VariantComparer.Instance.Equals(new StringName("a"), new NodePath("a")));
        Assert.True(VariantComparer.Instance.Equals(double.NaN, double.NaN));
        Assert.True(VariantComparer.Instance.Equals(MathValue.Of("Vector2", double.NaN, 1), MathValue.Of("Vector2", double.NaN, 1)));
    }
}

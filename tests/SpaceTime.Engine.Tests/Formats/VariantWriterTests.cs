using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

public sealed class VariantWriterTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(-2.0, "-2.0")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e20, "1E+20")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "inf_neg")]
    [InlineData(double.NaN, "nan")]
    public void Double_IsWrittenSoItReadsBackAsAFloat(double value, string expected)
    {
        Assert.Equal(expected, VariantWriter.Write(value));
    }

    [Fact]
    public void Primitives_AreWrittenAsGodotLiterals()
    {
        Assert.Equal("null", VariantWriter.Write(null));
        Assert.Equal("true", VariantWriter.Write(true));
        Assert.Equal("false", VariantWriter.Write(false));
        Assert.Equal("-42", VariantWriter.Write(-42L));
        Assert.Equal("7", VariantWriter.Write(7));
        Assert.Equal("1.5", VariantWriter.Write(1.5f));
    }

    [Fact]
    public void String_EscapesQuoteAndBackslashButKeepsLineBreaksLiteral()
    {
        Assert.Equal("\"say \\\"hi\\\"\nC:\\\\dir\tü\"", VariantWriter.Write("say \"hi\"\nC:\\dir\tü"));
    }

    [Fact]
    public void NamesPathsAndReferences_UseTheirPrefixes()
    {
        Assert.Equal("&\"left_hand\"", VariantWriter.Write(new StringName("left_hand")));
        Assert.Equal("^\"A/B\"", VariantWriter.Write(new NodePath("A/B")));
        Assert.Equal("ExtResource(\"1_x\")", VariantWriter.Write(new ResourceRef(ResourceRefKind.External, "1_x")));
        Assert.Equal("SubResource(\"Box\")", VariantWriter.Write(new ResourceRef(ResourceRefKind.Sub, "Box")));
    }

    [Fact]
    public void MathValues_WriteIntegersWithoutFractionAndRealsShortest()
    {
        Assert.Equal("Vector3i(1, -2, 3)", VariantWriter.Write(MathValue.Of("Vector3i", 1, -2, 3)));
        Assert.Equal("Vector3(1, 0.5, -2)", VariantWriter.Write(MathValue.Of("Vector3", 1, 0.5, -2)));
        Assert.Equal("Vector2(inf, nan)", MathValue.Of("Vector2", double.PositiveInfinity, double.NaN).ToString());
    }

    [Fact]
    public void Collections_UseGodotLayout()
    {
        Assert.Equal("[1, \"a\"]", VariantWriter.Write(new VariantArray([1L, "a"])));
        Assert.Equal("Array[NodePath]([^\"a\"])", VariantWriter.Write(new VariantArray([new NodePath("a")], "NodePath")));
        Assert.Equal("{}", VariantWriter.Write(new VariantDictionary([])));
        Assert.Equal("{\n\"a\": 1,\n\"b\": 2\n}", VariantWriter.Write(new VariantDictionary([new("a", 1L), new("b", 2L)])));
        Assert.Equal("Dictionary[String, int]({\n\"a\": 1\n})", VariantWriter.Write(new VariantDictionary([new("a", 1L)], "String", "int")));
        Assert.Equal("Object(InputEventKey,\"keycode\":0)", VariantWriter.Write(new ObjectValue("InputEventKey", [new("keycode", 0L)])));
        Assert.Equal("Callable()", VariantWriter.Write(new ConstructorValue("Callable", [])));
    }

    [Fact]
    public void PackedArrays_WriteBytesAsBase64AndOthersAsLists()
    {
        Assert.Equal("PackedByteArray(\"AAEC/w==\")", VariantWriter.Write(new PackedArray("PackedByteArray", new byte[] { 0, 1, 2, 255 })));
        Assert.Equal("PackedByteArray()", VariantWriter.Write(new PackedArray("PackedByteArray", Array.Empty<byte>())));
        Assert.Equal("PackedInt32Array(1, -2)", VariantWriter.Write(new PackedArray("PackedInt32Array", new long[] { 1, -2 })));
        Assert.Equal("PackedVector3Array(1, 2, 3.5)", VariantWriter.Write(new PackedArray("PackedVector3Array", new[] { 1, 2, 3.5 })));
        Assert.Equal("PackedStringArray(\"a\", \"b\\\"\")", VariantWriter.Write(new PackedArray("PackedStringArray", new[] { "a", "b\"" })));
    }

    [Fact]
    public void UnsupportedValue_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => VariantWriter.Write(DateTime.UnixEpoch));

        Assert.Contains("DateTime", error.Message);
    }
}

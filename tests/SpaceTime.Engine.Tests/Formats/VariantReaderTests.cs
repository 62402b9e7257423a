using SpaceTime.Engine.Formats;

namespace SpaceTime.Engine.Tests.Formats;

public sealed class VariantReaderTests
{
    [Fact]
    public void String_WithGodotEscapes_IsUnescaped()
    {
        var value = VariantReader.Parse("""
            "a\nb\tc \"q\" back\\slash \u00e9 \U01F600 \r\b\f\a\v \' \z"
            """);

        Assert.Equal("a\nb\tc \"q\" back\\slash é 😀 \r\b\f\a\v ' z", value);
    }

    [Fact]
    public void String_WithSurrogatePairEscapes_JoinsThePair()
    {
        Assert.Equal("😀", VariantReader.Parse("\"\\uD83D\\uDE00\""));
    }

    [Fact]
    public void String_SpanningLines_KeepsLineBreaks()
    {
        Assert.Equal("first line\nsecond line\n", VariantReader.Parse("\"first line\nsecond line\n\""));
    }

    [Fact]
    public void String_WithEscapedLineBreak_KeepsTheLineBreak()
    {
        Assert.Equal("a\nb", VariantReader.Parse("\"a\\\nb\""));
    }

    [Theory]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("inf_neg", double.NegativeInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("nan", double.NaN)]
    [InlineData("1e-05", 1e-05)]
    [InlineData("1.0", 1.0)]
    [InlineData("-2.5", -2.5)]
    [InlineData("1E+20", 1e20)]
    [InlineData(".5", 0.5)]
    public void Real_Literal_ReadsAsDouble(string text, double expected)
    {
        var value = VariantReader.Parse(text);

        var real = Assert.IsType<double>(value);
        Assert.Equal(expected, real);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("+7", 7L)]
    [InlineData("0xFF", 255L)]
    [InlineData("0x7fffffffffffffff", long.MaxValue)]
    [InlineData("-0x10", -16L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Integer_Literal_ReadsAsLong(string text, long expected)
    {
        var value = VariantReader.Parse(text);

        Assert.Equal(expected, Assert.IsType<long>(value));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Bool_Literal_ReadsAsBool(string text, bool expected)
    {
        Assert.Equal(expected, VariantReader.Parse(text));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("nil")]
    [InlineData("  null  \n")]
    public void Null_Literal_ReadsAsNull(string text)
    {
        Assert.Null(VariantReader.Parse(text));
    }

    [Fact]
    public void StringNameAndNodePath_Literals_ReadAsTheirRecords()
    {
        Assert.Equal(new StringName("left_hand"), VariantReader.Parse("&\"left_hand\""));
        Assert.Equal(new StringName("x"), VariantReader.Parse("StringName(\"x\")"));
        Assert.Equal(new NodePath("../Player:position"), VariantReader.Parse("^\"../Player:position\""));
        Assert.Equal(new NodePath("A/B"), VariantReader.Parse("NodePath(\"A/B\")"));
    }

    [Fact]
    public void TypedArray_OfNodePaths_KeepsElementTypeAndItems()
    {
        var value = VariantReader.Parse("Array[NodePath]([^\"a\"])");

        var array = Assert.IsType<VariantArray>(value);
        Assert.Equal("NodePath", array.ElementType);
        Assert.Equal([new NodePath("a")], array.Items);
    }

    [Fact]
    public void TypedArray_OfTypedArrays_KeepsNestedElementType()
    {
        var array = Assert.IsType<VariantArray>(VariantReader.Parse("Array[Array[int]]([Array[int]([1, 2])])"));

        Assert.Equal("Array[int]", array.ElementType);
        var inner = Assert.IsType<VariantArray>(Assert.Single(array.Items));
        Assert.Equal("int", inner.ElementType);
        Assert.Equal([1L, 2L], inner.Items);
    }

    [Fact]
    public void UntypedArray_WithMixedItemsAndTrailingComma_ReadsAllItems()
    {
        var array = Assert.IsType<VariantArray>(VariantReader.Parse("[1, 2.5, \"s\", null, [true],\n]"));

        Assert.Null(array.ElementType);
        Assert.Equal(5, array.Items.Count);
        Assert.Equal(1L, array.Items[0]);
        Assert.Equal(2.5, array.Items[1]);
        Assert.Equal("s", array.Items[2]);
        Assert.Null(array.Items[3]);
        Assert.Equal(new VariantArray([true]), array.Items[4]);
    }

    [Fact]
    public void TypedDictionary_StringToInt_KeepsKeyAndValueTypes()
    {
        var value = VariantReader.Parse("Dictionary[String, int]({\"a\": 1})");

        var dictionary = Assert.IsType<VariantDictionary>(value);
        Assert.Equal("String", dictionary.KeyType);
        Assert.Equal("int", dictionary.ValueType);
        Assert.Equal(1L, dictionary["a"]);
        Assert.Single(dictionary.Entries);
    }

    [Fact]
    public void Dictionary_MultiLineWithNonStringKeys_KeepsFileOrder()
    {
        var dictionary = Assert.IsType<VariantDictionary>(VariantReader.Parse("""
            {
            "z": Vector2(1, 2),
            1: [],
            &"name": null
            }
            """));

        Assert.Null(dictionary.KeyType);
        Assert.Equal(["z", 1L, new StringName("name")], dictionary.Entries.Select(e => e.Key));
        Assert.Equal(MathValue.Of("Vector2", 1, 2), dictionary["z"]);
        Assert.Null(dictionary["missing"]);
    }

    [Fact]
    public void InlineObject_InputEvent_ReadsClassAndProperties()
    {
        var value = VariantReader.Parse("Object(InputEventKey,\"keycode\":0)");

        var obj = Assert.IsType<ObjectValue>(value);
        Assert.Equal("InputEventKey", obj.ClassName);
        var property = Assert.Single(obj.Properties);
        Assert.Equal("keycode", property.Key);
        Assert.Equal(0L, property.Value);
    }

    [Fact]
    public void InlineObject_AsProjectGodotWritesIt_ReadsNestedValues()
    {
        var obj = Assert.IsType<ObjectValue>(VariantReader.Parse(
            "Object(InputEventKey,\"resource_local_to_scene\":false,\"resource_name\":\"\",\"device\":-1,\"window_id\":0,\"alt_pressed\":false,\"pressed\":false,\"keycode\":0,\"physical_keycode\":87,\"key_label\":0,\"unicode\":119,\"location\":0,\"echo\":false,\"script\":null)"));

        Assert.Equal(13, obj.Properties.Count);
        Assert.Equal(-1L, obj.Properties.Single(p => p.Key == "device").Value);
        Assert.Equal(87L, obj.Properties.Single(p => p.Key == "physical_keycode").Value);
        Assert.Null(obj.Properties[^1].Value);
    }

    [Theory]
    [InlineData("Vector2(1, 2)", "Vector2", 2)]
    [InlineData("Vector3i(1, -2, 3)", "Vector3i", 3)]
    [InlineData("Color(0.1, 0.2, 0.3)", "Color", 3)]
    [InlineData("Color(0.1, 0.2, 0.3, 1)", "Color", 4)]
    [InlineData("Transform3D(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0)", "Transform3D", 12)]
    [InlineData("Projection(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)", "Projection", 16)]
    [InlineData("AABB(-1, -1, -1, 2, 2, 2)", "AABB", 6)]
    [InlineData("Quaternion(0, 0, 0, 1)", "Quaternion", 4)]
    public void MathConstructor_WithRightComponentCount_ReadsMathValue(string text, string type, int count)
    {
        var math = Assert.IsType<MathValue>(VariantReader.Parse(text));

        Assert.Equal(type, math.TypeName);
        Assert.Equal(count, math.Components.Length);
    }

    [Fact]
    public void MathConstructor_WithSpecialWords_ReadsSpecialComponents()
    {
        var math = Assert.IsType<MathValue>(VariantReader.Parse("Vector3(inf, inf_neg, nan)"));

        Assert.Equal(double.PositiveInfinity, math.Components[0]);
        Assert.Equal(double.NegativeInfinity, math.Components[1]);
        Assert.True(double.IsNaN(math.Components[2]));
    }

    [Fact]
    public void MathConstructor_WithNegativeZero_KeepsTheSign()
    {
        var math = Assert.IsType<MathValue>(VariantReader.Parse("Vector3(-0, 0, 1)"));

        Assert.True(double.IsNegative(math.Components[0]));
    }

    [Fact]
    public void PackedByteArray_Format4Base64_DecodesBytes()
    {
        var packed = Assert.IsType<PackedArray>(VariantReader.Parse("PackedByteArray(\"AAEC/w==\")"));

        Assert.Equal("PackedByteArray", packed.TypeName);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, Assert.IsType<byte[]>(packed.Values));
    }

    [Fact]
    public void PackedByteArray_Format3Numbers_ReadsBytes()
    {
        var packed = Assert.IsType<PackedArray>(VariantReader.Parse("PackedByteArray(0, 1, 255)"));

        Assert.Equal(new byte[] { 0, 1, 255 }, Assert.IsType<byte[]>(packed.Values));
    }

    [Fact]
    public void PackedByteArray_Empty_ReadsNoBytes()
    {
        var packed = Assert.IsType<PackedArray>(VariantReader.Parse("PackedByteArray()"));

        Assert.Empty(Assert.IsType<byte[]>(packed.Values));
    }

    [Fact]
    public void PackedArrays_OfEachKind_ReadTheirElementTypes()
    {
        Assert.Equal(new long[] { 1, -2, 3 }, Assert.IsType<PackedArray>(VariantReader.Parse("PackedInt32Array(1, -2, 3)")).Values);
        Assert.Equal(new[] { 0.5, 1.0 }, Assert.IsType<PackedArray>(VariantReader.Parse("PackedFloat32Array(0.5, 1)")).Values);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, Assert.IsType<PackedArray>(VariantReader.Parse("PackedVector3Array(1, 2, 3, 4, 5, 6)")).Values);
        Assert.Equal(new[] { "4.3", "Forward Plus" }, Assert.IsType<PackedArray>(VariantReader.Parse("PackedStringArray(\"4.3\", \"Forward Plus\")")).Values);
    }

    [Fact]
    public void PackedInt64Array_LargeValue_KeepsEveryDigit()
    {
        var packed = Assert.IsType<PackedArray>(VariantReader.Parse("PackedInt64Array(9007199254740993)"));

        Assert.Equal(new[] { 9007199254740993L }, packed.Values);
    }

    [Theory]
    [InlineData("ExtResource(\"1_abc\")", ResourceRefKind.External, "1_abc")]
    [InlineData("ExtResource(3)", ResourceRefKind.External, "3")]
    [InlineData("SubResource(\"BoxShape3D_deck\")", ResourceRefKind.Sub, "BoxShape3D_deck")]
    [InlineData("SubResource( 2 )", ResourceRefKind.Sub, "2")]
    public void ResourceReference_StringOrNumericId_ReadsIdAsString(string text, ResourceRefKind kind, string id)
    {
        Assert.Equal(new ResourceRef(kind, id), VariantReader.Parse(text));
    }

    [Fact]
    public void UnknownConstructor_IsKeptVerbatim()
    {
        var value = Assert.IsType<ConstructorValue>(VariantReader.Parse("Callable()"));
        Assert.Equal("Callable", value.Name);
        Assert.Empty(value.Arguments);

        var rid = Assert.IsType<ConstructorValue>(VariantReader.Parse("Signal(^\"node\", &\"pressed\")"));
        Assert.Equal([new NodePath("node"), new StringName("pressed")], rid.Arguments);
    }

    [Fact]
    public void UnterminatedString_OnSecondLine_ReportsFileLineAndColumnOfTheQuote()
    {
        var error = Assert.Throws<GodotParseException>(() => VariantReader.Parse("[1,\n  \"abc", "res://broken.tscn"));

        Assert.Equal("res://broken.tscn", error.File);
        Assert.Equal(2, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Contains("unterminated string", error.Reason);
        Assert.StartsWith("res://broken.tscn:2:3:", error.Message);
    }

    [Fact]
    public void StringEndingInBackslash_IsUnterminated()
    {
        var error = Assert.Throws<GodotParseException>(() => VariantReader.Parse("\"abc\\"));

        Assert.Equal(1, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Contains("unterminated", error.Reason);
    }

    [Fact]
    public void Vector3_WithTwoComponents_IsAnErrorAtTheConstructor()
    {
        var error = Assert.Throws<GodotParseException>(() => VariantReader.Parse("\n\n   Vector3(1, 2)", "f.tscn"));

        Assert.Equal(3, error.Line);
        Assert.Equal(4, error.Column);
        Assert.Contains("Vector3", error.Reason);
        Assert.Contains("got 2", error.Reason);
    }

    [Theory]
    [InlineData("1 2", "unexpected text after value")]
    [InlineData("bogus", "unknown word 'bogus'")]
    [InlineData("[1, 2", "unterminated array")]
    [InlineData("[1 2]", "expected ',' or ']'")]
    [InlineData("{\"a\" 1}", "expected ':'")]
    [InlineData("{\"a\": 1", "unterminated dictionary")]
    [InlineData("", "the file ended")]
    [InlineData("@", "unexpected character '@'")]
    [InlineData("PackedByteArray(\"not base64!\")", "invalid base64")]
    [InlineData("PackedByteArray(256)", "is not a byte")]
    [InlineData("PackedByteArray(1.5)", "is not a byte")]
    [InlineData("Vector2(1, \"x\")", "expected a number")]
    [InlineData("Vector2(1, 2", "file ended")]
    [InlineData("\"\\u12\"", "hex digits")]
    [InlineData("0xZZ", "invalid hexadecimal")]
    [InlineData("1.2.3", "invalid number")]
    [InlineData("Array[int", "unterminated Array[...] type")]
    public void MalformedValue_ThrowsParseExceptionWithReason(string text, string reason)
    {
        var error = Assert.Throws<GodotParseException>(() => VariantReader.Parse(text));

        Assert.Contains(reason, error.Reason);
        Assert.Equal("<text>", error.File);
        Assert.True(error.Line >= 1 && error.Column >= 1);
    }

    [Fact]
    public void Reader_FromAPosition_ReadsOneValueAndStopsAfterIt()
    {
        var reader = new VariantReader("key = Vector2(1, 2) rest", position: 6);

        var value = reader.ReadValue();

        Assert.Equal(MathValue.Of("Vector2", 1, 2), value);
        Assert.Equal(19, reader.Position);
        Assert.False(reader.AtEnd);
    }
}

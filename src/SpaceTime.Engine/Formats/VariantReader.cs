using System.Globalization;
using System.Text;

namespace SpaceTime.Engine.Formats;

/// <summary>
/// Reads Godot's text serialisation of Variants (the values in <c>.tscn</c>, <c>.tres</c> and <c>project.godot</c>)
/// from a position in a string. Errors carry the file, line and column.
/// </summary>
public sealed class VariantReader
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;

    public VariantReader(string text, string file = "<text>", int position = 0)
    {
        _text = text;
        _file = file;
        _pos = position;
    }

    public int Position => _pos;

    public bool AtEnd => _pos >= _text.Length;

    /// <summary>Parses one whole value from <paramref name="text"/>; trailing text other than whitespace is an error.</summary>
    public static object? Parse(string text, string file = "<text>")
    {
        var reader = new VariantReader(text, file);
        var value = reader.ReadValue();
        reader.SkipWhitespace();
        if (!reader.AtEnd)
        {
            throw reader.Error("unexpected text after value");
        }

        return value;
    }

    internal char Peek(int offset = 0) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    internal void Advance(int count = 1) => _pos += count;

    internal GodotParseException Error(string reason) => ErrorAt(_pos, reason);

    internal GodotParseException ErrorAt(int position, string reason)
    {
        var line = 1;
        var lineStart = 0;
        var end = Math.Min(position, _text.Length);
        for (var i = 0; i < end; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new GodotParseException(_file, line, end - lineStart + 1, reason);
    }

    /// <summary>Skips spaces, tabs and line breaks.</summary>
    internal void SkipWhitespace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    internal void Expect(char c)
    {
        SkipWhitespace();
        if (Peek() != c)
        {
            throw Error(AtEnd ? $"expected '{c}' but the file ended" : $"expected '{c}' but found '{Peek()}'");
        }

        _pos++;
    }

    public object? ReadValue()
    {
        SkipWhitespace();
        var c = Peek();
        switch (c)
        {
            case '\0' when AtEnd:
                throw Error("expected a value but the file ended");
            case '"':
                return ReadString();
            case '&' when Peek(1) == '"':
                _pos++;
                return new StringName(ReadString());
            case '^' when Peek(1) == '"':
                _pos++;
                return new NodePath(ReadString());
            case '[':
                return new VariantArray(ReadArrayItems());
            case '{':
                return ReadDictionary(null, null);
        }

        if (char.IsDigit(c) || c is '-' or '+' or '.')
        {
            if (c == '-' && MatchesWord(1, "inf"))
            {
                _pos += 4;
                return double.NegativeInfinity;
            }

            return ReadNumber();
        }

        if (IsIdentifierStart(c))
        {
            return ReadIdentifierValue();
        }

        throw Error($"unexpected character '{c}' where a value was expected");
    }

    /// <summary>Reads a double-quoted string with Godot's escapes; line breaks inside are kept.</summary>
    public string ReadString()
    {
        SkipWhitespace();
        var start = _pos;
        if (Peek() != '"')
        {
            throw Error("expected a string");
        }

        _pos++;
        StringBuilder? sb = null;
        var runStart = _pos;
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw ErrorAt(start, "unterminated string");
            }

            var ch = _text[_pos];
            if (ch == '"')
            {
                var tail = _text.AsSpan(runStart, _pos - runStart);
                _pos++;
                return sb is null ? tail.ToString() : sb.Append(tail).ToString();
            }

            if (ch != '\\')
            {
                _pos++;
                continue;
            }

            sb ??= new StringBuilder();
            sb.Append(_text.AsSpan(runStart, _pos - runStart));
            _pos++;
            var esc = Peek();
            _pos++;
            switch (esc)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'a': sb.Append('\a'); break;
                case 'v': sb.Append('\v'); break;
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case '\\': sb.Append('\\'); break;
                case '\n': sb.Append('\n'); break;
                case 'u': sb.Append(ReadHexCodePoint(4)); break;
                case 'U': sb.Append(ReadHexCodePoint(6)); break;
                case '\0' when _pos > _text.Length:
                    throw ErrorAt(start, "unterminated string");
                default:
                    // Godot keeps an unknown escape's character as written.
                    sb.Append(esc);
                    break;
            }

            runStart = _pos;
        }
    }

    private string ReadHexCodePoint(int digits)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            throw Error($"invalid \\u escape: expected {digits} hex digits");
        }

        _pos += digits;
        try
        {
            return char.ConvertFromUtf32(code);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A lone surrogate half, as Godot writes UTF-16 pairs with two \u escapes: keep the code unit.
            return ((char)code).ToString();
        }
    }

    private object ReadNumber()
    {
        var start = _pos;
        if (Peek() is '-' or '+')
        {
            _pos++;
        }

        if (Peek() == '0' && Peek(1) is 'x' or 'X')
        {
            _pos += 2;
            var hexStart = _pos;
            while (Uri.IsHexDigit(Peek()))
            {
                _pos++;
            }

            if (!long.TryParse(_text.AsSpan(hexStart, _pos - hexStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                throw ErrorAt(start, "invalid hexadecimal number");
            }

            return _text[start] == '-' ? -hex : hex;
        }

        var isReal = false;
        while (true)
        {
            var c = Peek();
            if (char.IsDigit(c))
            {
                _pos++;
            }
            else if (c is '.' or 'e' or 'E')
            {
                isReal = true;
                _pos++;
                if (c is 'e' or 'E' && Peek() is '-' or '+')
                {
                    _pos++;
                }
            }
            else
            {
                break;
            }
        }

        var span = _text.AsSpan(start, _pos - start);
        if (!isReal && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        throw ErrorAt(start, $"invalid number '{span}'");
    }

    /// <summary>Reads a number where a real is required (constructor components); accepts inf/nan words.</summary>
    private double ReadReal()
    {
        SkipWhitespace();
        var start = _pos;
        var value = ReadValue();
        return value switch
        {
            0L when _text[start] == '-' => -0.0,
            long l => l,
            double d => d,
            _ => throw ErrorAt(start, "expected a number"),
        };
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';

    private bool MatchesWord(int offset, string word) =>
        string.CompareOrdinal(_text, _pos + offset, word, 0, word.Length) == 0 && !IsIdentifierPart(Peek(offset + word.Length));

    internal string ReadIdentifier()
    {
        SkipWhitespace();
        var start = _pos;
        if (!IsIdentifierStart(Peek()))
        {
            throw Error("expected a name");
        }

        while (IsIdentifierPart(Peek()))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private object? ReadIdentifierValue()
    {
        var start = _pos;
        var name = ReadIdentifier();
        switch (name)
        {
            case "true": return true;
            case "false": return false;
            case "null" or "nil": return null;
            case "inf": return double.PositiveInfinity;
            case "inf_neg": return double.NegativeInfinity;
            case "nan": return double.NaN;
        }

        if (name is "Array" or "Dictionary" && Peek() == '[')
        {
            return ReadTyped(name);
        }

        SkipWhitespace();
        if (Peek() != '(')
        {
            throw ErrorAt(start, $"unknown word '{name}' (expected a value)");
        }

        _pos++;
        var value = ReadConstructor(name, start);
        Expect(')');
        return value;
    }

    private object ReadTyped(string kind)
    {
        _pos++; // '['
        var typeStart = _pos;
        var depth = 1;
        while (depth > 0)
        {
            var c = Peek();
            if (AtEnd)
            {
                throw ErrorAt(typeStart, $"unterminated {kind}[...] type");
            }

            depth += c switch { '[' or '(' => 1, ']' or ')' => -1, _ => 0 };
            _pos++;
        }

        var type = _text[typeStart..(_pos - 1)].Trim();
        Expect('(');
        object result;
        if (kind == "Array")
        {
            result = new VariantArray(ReadArrayItems(), type);
        }
        else
        {
            var comma = SplitTopLevelComma(type);
            result = ReadDictionary(comma.Key.Trim(), comma.Value.Trim());
        }

        Expect(')');
        return result;
    }

    private static KeyValuePair<string, string> SplitTopLevelComma(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '[' or '(' => 1, ']' or ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                return new(text[..i], text[(i + 1)..]);
            }
        }

        return new(text, "");
    }

    private object? ReadConstructor(string name, int start)
    {
        if (MathValue.IsMathType(name))
        {
            var parts = ReadRealList();
            if (!MathValue.AcceptsComponentCount(name, parts.Count))
            {
                throw ErrorAt(start, $"{name} takes a different number of components (got {parts.Count})");
            }

            return new MathValue(name, [.. parts]);
        }

        switch (name)
        {
            case "ExtResource" or "SubResource":
            {
                SkipWhitespace();
                var id = Peek() == '"' ? ReadString() : Convert.ToString(ReadValue(), CultureInfo.InvariantCulture) ?? "";
                return new ResourceRef(name == "ExtResource" ? ResourceRefKind.External : ResourceRefKind.Sub, id);
            }

            case "NodePath":
                return new NodePath(ReadString());
            case "StringName":
                return new StringName(ReadString());
            case "Object":
                return ReadObject();
        }

        if (PackedArray.ElementKind(name) is { } kind)
        {
            return new PackedArray(name, ReadPacked(name, kind));
        }

        var args = ReadSeparated(ReadValue, ')', $"{name}(...)");
        return new ConstructorValue(name, args);
    }

    private List<long> ReadIntegerList(string name) => ReadSeparated(
        () =>
        {
            var start = _pos;
            return ReadValue() is long l ? l : throw ErrorAt(start, $"{name} holds integers only");
        },
        ')',
        $"{name}(...)");

    private List<double> ReadRealList() => ReadSeparated(ReadReal, ')', "a constructor");

    /// <summary>Reads items separated by commas up to (and excluding) <paramref name="close"/>; a trailing comma is allowed.</summary>
    private List<T> ReadSeparated<T>(Func<T> readItem, char close, string context)
    {
        var items = new List<T>();
        SkipWhitespace();
        while (Peek() != close)
        {
            items.Add(readItem());
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                SkipWhitespace();
            }
            else if (Peek() != close)
            {
                throw Error(AtEnd ? $"unterminated {context}: expected '{close}' but the file ended" : $"expected ',' or '{close}' in {context} but found '{Peek()}'");
            }
        }

        return items;
    }

    private Array ReadPacked(string name, PackedElementKind kind)
    {
        SkipWhitespace();
        switch (kind)
        {
            case PackedElementKind.Byte when Peek() == '"':
            {
                // Format 4 writes byte arrays as base64.
                var start = _pos;
                var text = ReadString();
                try
                {
                    return Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    throw ErrorAt(start, "PackedByteArray holds invalid base64");
                }
            }

            case PackedElementKind.Byte:
                return ReadRealList().Select(v => v is >= 0 and <= 255 && v == Math.Floor(v)
                    ? (byte)v
                    : throw Error($"{name} value {v} is not a byte")).ToArray();
            case PackedElementKind.Integer:
                return ReadIntegerList(name).ToArray();
            case PackedElementKind.Real:
                return ReadRealList().ToArray();
            default:
                return ReadSeparated(ReadString, ')', $"{name}(...)").ToArray();
        }
    }

    private ObjectValue ReadObject()
    {
        var className = ReadIdentifier();
        var properties = new List<KeyValuePair<string, object?>>();
        SkipWhitespace();
        while (Peek() == ',')
        {
            _pos++;
            var key = ReadString();
            Expect(':');
            properties.Add(new(key, ReadValue()));
            SkipWhitespace();
        }

        return new ObjectValue(className, properties);
    }

    private List<object?> ReadArrayItems()
    {
        Expect('[');
        var items = ReadSeparated(ReadValue, ']', "array");
        _pos++;
        return items;
    }

    private VariantDictionary ReadDictionary(string? keyType, string? valueType)
    {
        Expect('{');
        var entries = new List<KeyValuePair<object?, object?>>();
        SkipWhitespace();
        while (Peek() != '}')
        {
            var key = ReadValue();
            Expect(':');
            var value = ReadValue();
            entries.Add(new(key, value));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                SkipWhitespace();
            }
            else if (Peek() != '}')
            {
                throw Error(AtEnd ? "unterminated dictionary: expected '}'" : $"expected ',' or '}}' in dictionary but found '{Peek()}'");
            }
        }

        _pos++;
        return new VariantDictionary(entries, keyType, valueType);
    }
}

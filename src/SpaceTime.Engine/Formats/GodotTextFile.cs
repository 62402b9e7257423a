namespace SpaceTime.Engine.Formats;

/// <summary>One <c>[tag attr=value ...]</c> section of a Godot text file and the <c>key = value</c> lines under it.</summary>
public sealed class TextSection(string tag, IReadOnlyList<KeyValuePair<string, object?>> attributes, int line)
{
    public string Tag { get; } = tag;

    public IReadOnlyList<KeyValuePair<string, object?>> Attributes { get; } = attributes;

    public List<KeyValuePair<string, object?>> Properties { get; } = [];

    /// <summary>1-based line of the section header.</summary>
    public int Line { get; } = line;

    public object? Attribute(string name) => Attributes.FirstOrDefault(a => a.Key == name).Value;

    public bool HasAttribute(string name) => Attributes.Any(a => a.Key == name);

    public string? StringAttribute(string name) => Attribute(name) switch
    {
        null => null,
        string s => s,
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };
}

/// <summary>
/// The section structure shared by <c>.tscn</c>, <c>.tres</c> and <c>project.godot</c>: optional top-level
/// properties, then sections. <c>;</c> starts a comment line.
/// </summary>
public sealed class GodotTextFile
{
    private GodotTextFile(string file, List<KeyValuePair<string, object?>> preamble, List<TextSection> sections)
    {
        File = file;
        Preamble = preamble;
        Sections = sections;
    }

    public string File { get; }

    /// <summary>Properties before the first section (project.godot's <c>config_version</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Preamble { get; }

    public IReadOnlyList<TextSection> Sections { get; }

    public static GodotTextFile Read(string path) => Parse(System.IO.File.ReadAllText(path), path);

    public static GodotTextFile Parse(string text, string file)
    {
        var reader = new VariantReader(text, file, text.StartsWith('\uFEFF') ? 1 : 0);
        var preamble = new List<KeyValuePair<string, object?>>();
        var sections = new List<TextSection>();
        while (true)
        {
            SkipBlankAndComments(reader);
            if (reader.AtEnd)
            {
                break;
            }

            if (reader.Peek() == '[')
            {
                sections.Add(ReadSectionHeader(reader, text));
                continue;
            }

            var key = ReadKey(reader);
            var value = reader.ReadValue();
            (sections.Count > 0 ? sections[^1].Properties : preamble).Add(new(key, value));
        }

        return new GodotTextFile(file, preamble, sections);
    }

    private static void SkipBlankAndComments(VariantReader reader)
    {
        while (true)
        {
            reader.SkipWhitespace();
            if (reader.Peek() is ';' or '#')
            {
                while (!reader.AtEnd && reader.Peek() != '\n')
                {
                    reader.Advance();
                }

                continue;
            }

            return;
        }
    }

    private static TextSection ReadSectionHeader(VariantReader reader, string text)
    {
        var start = reader.Position;
        reader.Advance(); // '['
        var tag = ReadBareWord(reader, "section name");
        var attributes = new List<KeyValuePair<string, object?>>();
        while (true)
        {
            SkipInlineSpace(reader);
            var c = reader.Peek();
            if (c == ']')
            {
                reader.Advance();
                break;
            }

            if (reader.AtEnd || c == '\n')
            {
                throw reader.Error($"section [{tag} ...] is not closed with ']'");
            }

            var name = ReadBareWord(reader, "attribute name");
            SkipInlineSpace(reader);
            if (reader.Peek() != '=')
            {
                throw reader.Error($"expected '=' after attribute '{name}'");
            }

            reader.Advance();
            attributes.Add(new(name, reader.ReadValue()));
        }

        return new TextSection(tag, attributes, LineOf(text, start));
    }

    private static int LineOf(string text, int position)
    {
        var line = 1;
        for (var i = 0; i < position; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static void SkipInlineSpace(VariantReader reader)
    {
        while (reader.Peek() is ' ' or '\t' or '\r')
        {
            reader.Advance();
        }
    }

    private static string ReadBareWord(VariantReader reader, string what)
    {
        var sb = new System.Text.StringBuilder();
        while (!reader.AtEnd && reader.Peek() is var c && !char.IsWhiteSpace(c) && c is not ('=' or ']' or '['))
        {
            sb.Append(c);
            reader.Advance();
        }

        return sb.Length > 0 ? sb.ToString() : throw reader.Error($"expected {what}");
    }

    /// <summary>A property key runs to '=' on the same line; Godot quotes keys that need it.</summary>
    private static string ReadKey(VariantReader reader)
    {
        if (reader.Peek() == '"')
        {
            var quoted = reader.ReadString();
            SkipInlineSpace(reader);
            if (reader.Peek() != '=')
            {
                throw reader.Error($"expected '=' after key \"{quoted}\"");
            }

            reader.Advance();
            return quoted;
        }

        var start = reader.Position;
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            if (reader.AtEnd || reader.Peek() == '\n')
            {
                throw reader.ErrorAt(start, $"expected 'key = value' but found '{sb.ToString().Trim()}'");
            }

            var c = reader.Peek();
            reader.Advance();
            if (c == '=')
            {
                break;
            }

            sb.Append(c);
        }

        var key = sb.ToString().Trim();
        return key.Length > 0 ? key : throw reader.ErrorAt(start, "property with an empty name");
    }
}

using System.Globalization;
using System.Text;

namespace SpaceTime.Engine.Formats;

/// <summary>Writes Variant values in Godot's text form; <see cref="VariantReader"/> reads back the same value.</summary>
public static class VariantWriter
{
    public static string Write(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    public static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
            case double d: AppendReal(sb, d, forceFraction: true); break;
            case float f: AppendReal(sb, f, forceFraction: true); break;
            case string s: AppendString(sb, s); break;
            case StringName sn: sb.Append('&'); AppendString(sb, sn.Value); break;
            case NodePath np: sb.Append('^'); AppendString(sb, np.Path); break;
            case ResourceRef r:
                sb.Append(r.Kind == ResourceRefKind.External ? "ExtResource(" : "SubResource(");
                AppendString(sb, r.Id);
                sb.Append(')');
                break;
            case MathValue m:
                sb.Append(m.TypeName).Append('(');
                for (var i = 0; i < m.Components.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    if (m.IsInteger)
                    {
                        sb.Append(((long)m.Components[i]).ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        AppendReal(sb, m.Components[i], forceFraction: false);
                    }
                }

                sb.Append(')');
                break;
            case PackedArray p: WritePacked(sb, p); break;
            case VariantArray a:
                if (a.ElementType is not null)
                {
                    sb.Append("Array[").Append(a.ElementType).Append("](");
                }

                sb.Append('[');
                AppendJoined(sb, a.Items);
                sb.Append(']');
                if (a.ElementType is not null)
                {
                    sb.Append(')');
                }

                break;
            case VariantDictionary d:
                if (d.KeyType is not null)
                {
                    sb.Append("Dictionary[").Append(d.KeyType).Append(", ").Append(d.ValueType).Append("](");
                }

                sb.Append('{');
                for (var i = 0; i < d.Entries.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n");
                    Write(sb, d.Entries[i].Key);
                    sb.Append(": ");
                    Write(sb, d.Entries[i].Value);
                }

                sb.Append(d.Entries.Count > 0 ? "\n}" : "}");
                if (d.KeyType is not null)
                {
                    sb.Append(')');
                }

                break;
            case ObjectValue o:
                sb.Append("Object(").Append(o.ClassName);
                foreach (var (key, v) in o.Properties)
                {
                    sb.Append(',');
                    AppendString(sb, key);
                    sb.Append(':');
                    Write(sb, v);
                }

                sb.Append(')');
                break;
            case ConstructorValue c:
                sb.Append(c.Name).Append('(');
                AppendJoined(sb, c.Arguments);
                sb.Append(')');
                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} is not a Variant value", nameof(value));
        }
    }

    private static void AppendJoined(StringBuilder sb, IReadOnlyList<object?> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Write(sb, items[i]);
        }
    }

    private static void WritePacked(StringBuilder sb, PackedArray p)
    {
        sb.Append(p.TypeName).Append('(');
        switch (p.Values)
        {
            case byte[] bytes:
                if (bytes.Length > 0)
                {
                    AppendString(sb, Convert.ToBase64String(bytes));
                }

                break;
            case double[] reals:
                for (var i = 0; i < reals.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    AppendReal(sb, reals[i], forceFraction: false);
                }

                break;
            case long[] ints:
                sb.AppendJoin(", ", ints.Select(v => v.ToString(CultureInfo.InvariantCulture)));
                break;
            case string[] strings:
                for (var i = 0; i < strings.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    AppendString(sb, strings[i]);
                }

                break;
        }

        sb.Append(')');
    }

    /// <summary>Godot writes a bare float with a fraction so it reads back as a float, and special values as words.</summary>
    private static void AppendReal(StringBuilder sb, double d, bool forceFraction)
    {
        if (double.IsNaN(d))
        {
            sb.Append("nan");
        }
        else if (double.IsPositiveInfinity(d))
        {
            sb.Append("inf");
        }
        else if (double.IsNegativeInfinity(d))
        {
            sb.Append("inf_neg");
        }
        else
        {
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            sb.Append(text);
            if (forceFraction && !text.Contains('.') && !text.Contains('E'))
            {
                sb.Append(".0");
            }
        }
    }

    /// <summary>Escapes as Godot's <c>c_escape_multiline</c>: backslash and quote; line breaks stay literal.</summary>
    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default: sb.Append(c); break;
            }
        }

        sb.Append('"');
    }
}

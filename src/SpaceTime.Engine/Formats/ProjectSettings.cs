using System.Globalization;

namespace SpaceTime.Engine.Formats;

/// <summary>A parsed <c>project.godot</c>. Settings are addressed as Godot does: <c>section/key</c>.</summary>
public sealed class ProjectSettings
{
    private readonly Dictionary<string, object?> _values;

    private ProjectSettings(string file, int configVersion, Dictionary<string, object?> values)
    {
        File = file;
        ConfigVersion = configVersion;
        _values = values;
    }

    public string File { get; }

    public int ConfigVersion { get; }

    public IReadOnlyDictionary<string, object?> Values => _values;

    public string? Name => Get("application/config/name") as string;

    /// <summary>The main scene, e.g. <c>res://vr_main.tscn</c>; null when the project sets none.</summary>
    public string? MainScene => Get("application/run/main_scene") as string;

    /// <summary>Physics ticks per second; Godot's default is 60, SpaceTime's VR default 90 when unset.</summary>
    public int PhysicsTicksPerSecond(int fallback = 90) => Get("physics/common/physics_ticks_per_second") switch
    {
        long l and > 0 and <= 1000 => (int)l,
        double d and > 0 and <= 1000 => (int)d,
        _ => fallback,
    };

    public double Gravity => Get("physics/3d/default_gravity") switch
    {
        long l => l,
        double d => d,
        _ => 9.8,
    };

    public object? Get(string path) => _values.GetValueOrDefault(path);

    public static ProjectSettings Load(string path) => Parse(System.IO.File.ReadAllText(path), path);

    public static ProjectSettings Parse(string text, string file)
    {
        var textFile = GodotTextFile.Parse(text, file);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var version = 0;
        foreach (var (key, value) in textFile.Preamble)
        {
            if (key == "config_version")
            {
                version = value is long l ? (int)l
                    : throw new GodotParseException(file, 1, 1, "config_version must be a number");
            }

            values[key] = value;
        }

        foreach (var section in textFile.Sections)
        {
            if (section.Attributes.Count > 0)
            {
                throw new GodotParseException(file, section.Line, 1, $"[{section.Tag}] in project.godot takes no attributes");
            }

            foreach (var (key, value) in section.Properties)
            {
                values[$"{section.Tag}/{key}"] = value;
            }
        }

        return new ProjectSettings(file, version, values);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({File}, config_version={ConfigVersion})");
}

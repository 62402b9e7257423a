namespace SpaceTime.Security.Configuration;

/// <summary>Where a configuration value came from: <c>default</c>, <c>file:PATH</c>, <c>env:NAME</c> or <c>flag:--name</c>.</summary>
public sealed record ConfigurationSource(string Kind, string? Name = null)
{
    public static ConfigurationSource Default { get; } = new("default");

    public static ConfigurationSource File(string path) => new("file", path);

    public static ConfigurationSource Variable(string name) => new("env", name);

    public static ConfigurationSource Flag(string name) => new("flag", name);

    /// <summary>What an error names: the file or the variable (or flag) the value came from.</summary>
    public string Origin => Name ?? Kind;

    public override string ToString() => Name is null ? Kind : $"{Kind}:{Name}";
}

/// <summary>One effective value: its key, its value as JSON text (secrets: <c>"***"</c>), and where it came from.</summary>
public sealed record ConfigurationValue(string Key, string Value, ConfigurationSource Source, bool Secret = false);

/// <summary>The settings in force, every value with its source, the files read and the warnings to state at start-up.</summary>
public sealed class EffectiveConfiguration(SecuritySettings settings, IReadOnlyList<ConfigurationValue> values, IReadOnlyList<string> filesRead)
{
    public SecuritySettings Settings { get; } = settings;

    /// <summary>Every key of the model, in the order of the files, each with its source; secrets redacted.</summary>
    public IReadOnlyList<ConfigurationValue> Values { get; } = values;

    public IReadOnlyList<string> FilesRead { get; } = filesRead;

    public IReadOnlyList<string> Warnings => Settings.Warnings;
}

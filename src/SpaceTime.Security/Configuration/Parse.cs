using System.Globalization;
using System.Text.Json;

namespace SpaceTime.Security.Configuration;

/// <summary>Text of environment variables and flags turned into configuration values (JSON text), with errors naming the variable.</summary>
internal static class Parse
{
    public static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new SecurityConfigurationException(name, name, $"'{value}' is not a whole number between {min} and {max}");

    public static bool Bool(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new SecurityConfigurationException(name, name, $"'{value}' is not true/false"),
    };

    public static string Text(object value) => JsonSerializer.Serialize(value);

    public static string List(string value) => Text(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

using System.Globalization;

namespace SpaceTime.Security;

/// <summary>Parses token lifetimes such as <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c> or plain seconds.</summary>
public static class TokenTtl
{
    public static bool TryParse(string? text, out TimeSpan ttl)
    {
        ttl = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim().ToLowerInvariant();
        var unit = char.IsLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || !double.IsFinite(value))
        {
            return false;
        }

        double? seconds = unit switch
        {
            's' => value,
            'm' => value * 60,
            'h' => value * 3600,
            'd' => value * 86400,
            _ => null,
        };
        if (seconds is not { } s || s > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        ttl = TimeSpan.FromSeconds(s);
        return true;
    }
}

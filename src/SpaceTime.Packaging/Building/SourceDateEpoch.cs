using System.Globalization;

namespace SpaceTime.Packaging.Building;

/// <summary>SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/): the build time reproducible builds use.</summary>
public static class SourceDateEpoch
{
    public const string VariableName = "SOURCE_DATE_EPOCH";

    /// <summary>The time the variable holds, or null when it is unset or empty.</summary>
    /// <exception cref="PackagingException">The value is not a whole, non-negative number of seconds.</exception>
    public static DateTimeOffset? Parse(string? value) =>
        string.IsNullOrEmpty(value) ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new PackagingException($"{VariableName}='{value}' must be a whole number of seconds since 1970-01-01T00:00:00Z");
}

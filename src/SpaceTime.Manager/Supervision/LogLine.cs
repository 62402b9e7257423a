namespace SpaceTime.Manager.Supervision;

/// <summary>One line of output: when it was read, where from (<c>stdout</c>, <c>stderr</c>, <c>manager</c>) and its text.</summary>
public sealed record LogLine(DateTimeOffset Timestamp, string Source, string Text)
{
    public override string ToString() =>
        $"{Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)} [{Source}] {Text}";
}

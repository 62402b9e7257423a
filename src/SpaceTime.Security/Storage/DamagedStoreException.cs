namespace SpaceTime.Security.Storage;

/// <summary>
/// A store found damaged at start-up that cannot be recovered without loss. Start-up stops with
/// <see cref="Exception.Message"/>: one line naming the file and what to do. Never replaced silently.
/// </summary>
public sealed class DamagedStoreException(string file, string damage, string remedy, Exception? inner = null)
    : Exception($"{file} is damaged ({damage}); {remedy}", inner)
{
    public string File { get; } = file;
}

namespace SpaceTime.Security;

/// <summary>The data dir the runtime and the manager share by default (keys, revocations, audit log, history).</summary>
public static class DataDirectory
{
    /// <summary><c>$XDG_DATA_HOME/spacetime</c>, usually <c>~/.local/share/spacetime</c>.</summary>
    public static string Default { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "spacetime");
}

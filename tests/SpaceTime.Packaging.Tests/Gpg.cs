namespace SpaceTime.Packaging.Tests;

/// <summary>The real gpg with a throwaway home folder; its agent (started for secret keys) is stopped on dispose.</summary>
internal sealed class Gpg : IAsyncDisposable
{
    private readonly TempFolder _home = new();

    public Gpg() => File.SetUnixFileMode(_home.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    public Task<ProcessRunner.Result> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("gpg", ["--batch", "--no-tty", "--pinentry-mode", "loopback", .. arguments], environment: new Dictionary<string, string?> { ["GNUPGHOME"] = _home.Path, ["LC_ALL"] = "C" });

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("gpgconf", ["--kill", "all"], environment: new Dictionary<string, string?> { ["GNUPGHOME"] = _home.Path });
        _home.Dispose();
    }
}

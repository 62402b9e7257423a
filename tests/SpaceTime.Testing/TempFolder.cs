namespace SpaceTime.Testing;

/// <summary>A unique folder under the temp directory, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("spacetime-tests-").FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes an executable shell script and returns its path.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public string Script(string name, string body)
    {
        var file = Combine(name);
        File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS temp cleaner takes the rest.
        }
    }
}

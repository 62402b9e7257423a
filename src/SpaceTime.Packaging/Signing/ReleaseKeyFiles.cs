namespace SpaceTime.Packaging.Signing;

/// <summary>The two files <c>spacetime package keygen</c> writes.</summary>
public static class ReleaseKeyFiles
{
    public const string SecretFileName = "spacetime-release.secret.asc";
    public const string PublicFileName = "spacetime-release.public.asc";

    /// <summary>Writes the key pair into <paramref name="folder"/>, the secret half with mode 0600 from its first byte.</summary>
    public static (string SecretFile, string PublicFile) Write(string folder, GeneratedKey key, bool overwrite)
    {
        Directory.CreateDirectory(folder);
        var secret = Path.Combine(folder, SecretFileName);
        var @public = Path.Combine(folder, PublicFileName);
        if (!overwrite && (File.Exists(secret) || File.Exists(@public)))
        {
            throw new PackagingException($"{(File.Exists(secret) ? secret : @public)} already exists; keep the key you have or pass --force to replace it");
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(secret, options))
        {
            stream.Write(key.SecretKey);
        }

        // UnixCreateMode does not apply to a file that already existed.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllBytes(@public, key.PublicKey);
        return (secret, @public);
    }
}

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

        // A new file, 0600 from its first byte, renamed over the target: never the old file's mode, never through a link there.
        var temporary = Path.Combine(folder, $".{SecretFileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(key.SecretKey);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, secret, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        File.WriteAllBytes(@public, key.PublicKey);
        return (secret, @public);
    }
}

namespace SpaceTime.Cli.Ci;

/// <summary>
/// Keys and passphrases a CI job holds in variables: a variable names a file, or (a CI secret) holds the armored key or the
/// passphrase itself, which is written to a private folder (mode 0700, files 0600) removed when this is disposed.
/// </summary>
internal sealed class SecretFiles(Func<string, string?> variable) : IDisposable
{
    private DirectoryInfo? _folder;

    /// <summary>The file of a key variable: the file it names, or a private copy of the armored key it holds.</summary>
    public string Key(string name)
    {
        var value = variable(name) ?? throw new CiStepException($"{name} is not set");
        if (value.StartsWith("-----BEGIN ", StringComparison.Ordinal))
        {
            return Write($"{name}.asc", value);
        }

        return File.Exists(value) ? value : throw new CiStepException($"{name}={value} is neither a file nor an armored key");
    }

    /// <summary>The passphrase file: <c>{name}_FILE</c>, or a private file holding <c>{name}</c>; null when neither is set.</summary>
    public string? Passphrase(string name) =>
        variable($"{name}_FILE") ?? (variable(name) is { } text ? Write("passphrase", text) : null);

    public void Dispose() => _folder?.Delete(recursive: true);

    private string Write(string fileName, string contents)
    {
        // Created 0700 (CreateTempSubdirectory on Unix).
        _folder ??= Directory.CreateTempSubdirectory("spacetime-ci-secrets-");
        var path = Path.Combine(_folder.FullName, fileName);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, options))
        {
            writer.Write(contents.EndsWith('\n') ? contents : contents + "\n");
        }

        return path;
    }
}

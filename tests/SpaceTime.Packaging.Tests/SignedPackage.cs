using SpaceTime.Packaging.Building;
using SpaceTime.Packaging.Manifest;
using SpaceTime.Packaging.Signing;
using SpaceTime.Packaging.Verification;

[assembly: AssemblyFixture(typeof(SpaceTime.Packaging.Tests.SignedPackage))]

namespace SpaceTime.Packaging.Tests;

/// <summary>One signed package of the fake repository, built once for the whole test assembly; tests that change it work on a copy.</summary>
public sealed class SignedPackage : IAsyncLifetime
{
    public static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(1_733_000_000);
    public static readonly SemanticVersion Version = SemanticVersion.Parse("2.5.0");

    private readonly TempFolder _output = new();

    public FakeRepository Repository { get; } = FakeRepository.Create();

    /// <summary>The release key, made a day before <see cref="Epoch"/> so signatures carry the epoch itself.</summary>
    public GeneratedKey Key { get; } = ReleaseKeyGenerator.Generate("SpaceTime Test Release", "release@spacetime.invalid", null, Epoch.AddDays(-1));

    public string PublicKeyFile => _output.Combine("keys", ReleaseKeyFiles.PublicFileName);

    public string SecretKeyFile => _output.Combine("keys", ReleaseKeyFiles.SecretFileName);

    public PackageBuildResult Result { get; private set; } = null!;

    public string Folder => Result.PackageFolder;

    public TrustedKeys TrustedKeys => TrustedKeys.Parse(Key.PublicKey, "the test release key");

    public VerifyOptions Trusted => new(TrustedKeys, AllowUnsigned: false);

    public async ValueTask InitializeAsync()
    {
        ReleaseKeyFiles.Write(_output.Combine("keys"), Key, overwrite: false);
        Result = await TestPackages.BuildAsync(Repository, _output.Combine("out"), ReleaseSigningKey.Load(SecretKeyFile, null));
    }

    /// <summary>A copy of the package folder (same name, same modes) to change.</summary>
    public string CopyTo(TempFolder temp)
    {
        var target = temp.Combine(Path.GetFileName(Folder));
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
        }

        foreach (var directory in Directory.EnumerateDirectories(Folder, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(Folder, directory)));
        }

        return target;
    }

    public ValueTask DisposeAsync()
    {
        Repository.Dispose();
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds packages of a <see cref="FakeRepository"/> the way the CLI does with --binaries.</summary>
public static class TestPackages
{
    public static Task<PackageBuildResult> BuildAsync(
        FakeRepository repository,
        string output,
        ReleaseSigningKey? key = null,
        RecordingProgress? progress = null,
        DateTimeOffset? epoch = null,
        bool overwrite = false,
        string? version = null) =>
        new PackageBuilder(TimeProvider.System, progress ?? new RecordingProgress()).BuildAsync(
            new PackageBuildRequest(version is null ? SignedPackage.Version : SemanticVersion.Parse(version), repository.Root, output)
            {
                ProjectFile = repository.ProjectFile,
                BinariesFolder = repository.Binaries,
                SigningKey = key,
                SourceDateEpoch = epoch ?? SignedPackage.Epoch,
                Overwrite = overwrite,
                BuildUser = "ci",
            },
            TestContext.Current.CancellationToken);
}

/// <summary>Keeps the build's progress lines so tests can look at them.</summary>
public sealed class RecordingProgress : IBuildProgress
{
    public List<string> Steps { get; } = [];

    public List<string> Warnings { get; } = [];

    public void Step(string message) => Steps.Add(message);

    public void Warning(string message) => Warnings.Add(message);
}

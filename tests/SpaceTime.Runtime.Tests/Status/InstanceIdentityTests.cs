using SpaceTime.Security.Storage;

namespace SpaceTime.Runtime.Tests.Status;

public sealed class InstanceIdentityTests : IDisposable
{
    private readonly string _dataDir = RuntimeApiFixture.NewTempFolder("instance");

    [Fact]
    public void Resolve_SameDataDirTwice_SameId()
    {
        var first = InstanceIdentity.Resolve(_dataDir, null);
        var second = InstanceIdentity.Resolve(_dataDir, null);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.Id, File.ReadAllText(Path.Combine(_dataDir, InstanceIdentity.FileName)).Trim());
    }

    [Fact]
    public void Resolve_ConcurrentFirstStarts_AllAgreeOnOneId()
    {
        var ids = Enumerable.Range(0, 16).AsParallel().Select(_ => InstanceIdentity.Resolve(_dataDir, null).Id).Distinct().ToList();

        Assert.Single(ids);
    }

    [Fact]
    public void Resolve_Configured_WinsOverTheFile()
    {
        InstanceIdentity.Resolve(_dataDir, null);

        Assert.Equal("game-a", InstanceIdentity.Resolve(_dataDir, " game-a ").Id);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}

using SpaceTime.Packaging.Layout;

namespace SpaceTime.Packaging.Tests.Layout;

public sealed class RepositoryRootTests
{
    [Fact]
    public void Find_FromADeepFolder_WalksUpToTheSolution()
    {
        using var repo = FakeRepository.Create();
        var deep = Path.Combine(repo.Root, "deploy", "kubernetes", "base");

        Assert.Equal(repo.Root, RepositoryRoot.Find(deep));
    }

    [Fact]
    public void Find_OutsideAnyCheckout_SaysWhatItLookedFor()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<PackagingException>(() => RepositoryRoot.Find(temp.Path));

        Assert.Contains("SpaceTime.slnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("--source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFind_InsideAndOutsideACheckout()
    {
        using var repo = FakeRepository.Create();
        using var temp = new TempFolder();

        Assert.Equal(repo.Root, RepositoryRoot.TryFind(Path.Combine(repo.Root, "deploy")));
        Assert.Null(RepositoryRoot.TryFind(temp.Path));
    }
}

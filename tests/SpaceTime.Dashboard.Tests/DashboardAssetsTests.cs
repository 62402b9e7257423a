namespace SpaceTime.Dashboard.Tests;

public sealed class DashboardAssetsTests
{
    [Theory]
    [InlineData("scene_manager.html", "text/html; charset=utf-8")]
    [InlineData("js/common.js", "text/javascript; charset=utf-8")]
    [InlineData("css/dashboard.css", "text/css; charset=utf-8")]
    [InlineData("vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8")]
    [InlineData("vendor/uplot/LICENSE", "text/plain; charset=utf-8")]
    public void TryGet_GameHost_ServesItsPageAndTheSharedAssets(string path, string contentType)
    {
        var assets = new DashboardAssets(DashboardPages.SceneManager);

        Assert.True(assets.TryGet(path, out var file, out var type));
        Assert.Equal(contentType, type);
        Assert.True(file.Length > 0);
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("js/operations.js")]
    public void TryGet_GameHost_DoesNotServeTheOperationsView(string path) =>
        Assert.False(new DashboardAssets(DashboardPages.SceneManager).TryGet(path, out _, out _));

    [Theory]
    [InlineData("scene_manager.html")]
    [InlineData("js/scene_manager.js")]
    public void TryGet_Manager_DoesNotServeTheGamePage(string path) =>
        Assert.False(new DashboardAssets(DashboardPages.Operations).TryGet(path, out _, out _));

    [Theory]
    [InlineData("../SpaceTime.Dashboard.dll")]
    [InlineData("js/../index.html")]
    [InlineData("js\\common.js")]
    [InlineData("missing.html")]
    [InlineData("js")]
    [InlineData("")]
    public void TryGet_UnknownOrEscapingPath_IsNotFound(string path) =>
        Assert.False(new DashboardAssets(DashboardPages.SceneManager | DashboardPages.Operations).TryGet(path, out _, out _));

    [Fact]
    public void Pages_NoInlineScriptOrStyle_SoTheyRunUnderTheContentSecurityPolicy()
    {
        var assets = new DashboardAssets(DashboardPages.SceneManager | DashboardPages.Operations);
        foreach (var page in new[] { "index.html", "scene_manager.html" })
        {
            Assert.True(assets.TryGet(page, out var file, out _));
            using var reader = new StreamReader(file.CreateReadStream());
            var html = reader.ReadToEnd();
            Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"\sstyle=", html);
            Assert.DoesNotMatch(@"\son[a-z]+=", html);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        }
    }
}

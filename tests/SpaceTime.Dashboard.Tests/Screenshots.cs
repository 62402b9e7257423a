using Microsoft.Playwright;

namespace SpaceTime.Dashboard.Tests;

/// <summary>
/// Screenshots of the pages. They go to docs/images only when SPACETIME_UPDATE_SCREENSHOTS=1 (so the suite does not
/// rewrite the docs on every run), otherwise to a temp folder.
/// </summary>
internal static class Screenshots
{
    public static bool Update => Environment.GetEnvironmentVariable("SPACETIME_UPDATE_SCREENSHOTS") == "1";

    public static async Task<string> TakeAsync(IPage page, string name)
    {
        var folder = Update ? Path.Combine(RepositoryPaths.Root, "docs", "images") : Path.Combine(Path.GetTempPath(), "spacetime-dashboard-screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

}

using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SpaceTime.Dashboard.Tests;

/// <summary>
/// The operations view (the manager's <c>/</c>) in Chromium against a real <c>spacetime up</c>: live charts from the
/// telemetry WebSocket, role gates, a restart from the page, and recovery from a killed game without a reload.
/// </summary>
public sealed class OperationsViewTests(SpacetimeUp up, Chromium chromium) : IClassFixture<SpacetimeUp>, IClassFixture<Chromium>
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Operations_Telemetry_ChartsReceiveLivePointsWithNoConsoleErrors()
    {
        await up.WaitForReadyAsync(Recovery);
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(up.ManagerUrl + "/");
        await watched.SignInAsync(SpacetimeUp.AdminToken);
        await Expect(page.Locator("#lifecycle-state")).ToHaveTextAsync("READY");
        await Expect(page.Locator("#telemetry-state")).ToHaveTextAsync("live");

        // The fps stream samples every 500 ms: at least 4 new points on each telemetry chart (within 10 s: Chromium and
        // two SpaceTime processes share two cores).
        foreach (var chart in new[] { "chart-fps", "chart-tick", "chart-memory" })
        {
            var start = int.Parse(await page.Locator($"#{chart}").GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            await page.WaitForFunctionAsync(
                "([id, n]) => Number(document.getElementById(id).dataset.points) >= n",
                new object[] { chart, start + 4 },
                new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
        }

        await Expect(page.Locator("#chart-fps canvas")).ToHaveCountAsync(1);
        // The request-rate chart comes from the game's /metrics through the manager.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('chart-requests').dataset.points) >= 1", null,
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        await Expect(page.Locator("#health-checks li.pass")).ToHaveCountAsync(5);
        await Expect(page.Locator("#blocking-issues")).ToHaveTextAsync("None.");
        await Expect(page.Locator("#lifecycle-history li").First).ToContainTextAsync("→ READY");
        await Expect(page.Locator("#logs")).ToContainTextAsync("READY");
        Assert.Empty(watched.Problems);
        Assert.All(watched.Requests, url => Assert.DoesNotContain(SpacetimeUp.AdminToken, url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operations_ReadonlyToken_ControlsDisabledWithTheReason()
    {
        await up.WaitForReadyAsync(Recovery);
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(up.ManagerUrl + "/web/");
        await watched.SignInAsync(up.ReadOnlyToken);

        foreach (var id in new[] { "#start-game", "#stop-game", "#restart-game" })
        {
            await Expect(page.Locator(id)).ToBeDisabledAsync();
            await Expect(page.Locator(id)).ToHaveAttributeAsync("title", "Needs the admin role (you are readonly)");
        }

        await Expect(page.Locator("#control-gate")).ToContainTextAsync("need the admin role (you are readonly)");
        await Expect(page.Locator("#logs-gate")).ToContainTextAsync("need the developer role");
        await Expect(page.Locator("#lifecycle-state")).ToHaveTextAsync("READY");
        await Expect(page.Locator("#telemetry-state")).ToHaveTextAsync("live");
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task Operations_AdminRestartsTheGame_LifecycleReturnsToReadyOnThePage()
    {
        var before = await up.WaitForReadyAsync(Recovery);
        var oldPid = before.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(up.ManagerUrl + "/");
        await watched.SignInAsync(SpacetimeUp.AdminToken);
        await Expect(page.Locator("#pid")).ToHaveTextAsync(oldPid);
        await Expect(page.Locator("#restart-game")).ToBeEnabledAsync();

        await page.Locator("#restart-game").ClickAsync();

        await Expect(page.Locator("#control-result")).ToContainTextAsync("restarting: The game is restarting", new() { Timeout = 30_000 });
        await Expect(page.Locator("#pid")).Not.ToHaveTextAsync(oldPid, new() { Timeout = 30_000 });
        await Expect(page.Locator("#lifecycle-state")).ToHaveTextAsync("READY", new() { Timeout = 60_000 });
        await Expect(page.Locator("#lifecycle-history")).ToContainTextAsync("STARTING");
        var status = await up.WaitForReadyAsync(Recovery);
        Assert.NotEqual(oldPid, status.GetProperty("pid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Operations_GameKilledWithSigkill_PageShowsReadyAgainWithoutAReload()
    {
        await up.WaitForReadyAsync(Recovery);
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(up.ManagerUrl + "/");
        await watched.SignInAsync(SpacetimeUp.AdminToken);
        await Expect(page.Locator("#telemetry-state")).ToHaveTextAsync("live");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var pid = await KillGameAsync();

        var pidText = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator("#pid")).Not.ToHaveTextAsync(pidText, new() { Timeout = 30_000 });
        await Expect(page.Locator("#lifecycle-state")).ToHaveTextAsync("READY", new() { Timeout = 60_000 });
        await Expect(page.Locator("#restart-history")).ToContainTextAsync("signal 9");
        // The telemetry socket reconnected by itself and the charts move again.
        await Expect(page.Locator("#telemetry-state")).ToHaveTextAsync("live", new() { Timeout = 30_000 });
        var points = int.Parse(await page.Locator("#chart-fps").GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await page.WaitForFunctionAsync("n => Number(document.getElementById('chart-fps').dataset.points) >= n", points + 4,
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 50 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded");
        // The outage was shown in the page while it lasted, and cleared once the game was back.
        await Expect(page.Locator("#errors")).ToBeHiddenAsync(new() { Timeout = 30_000 });
    }

    /// <summary>SIGKILLs the game the manager reports READY; returns its pid.</summary>
    private async Task<int> KillGameAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Recovery.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var pid = (await up.WaitForReadyAsync(Recovery)).GetProperty("pid").GetInt32();
            try
            {
                using var game = Process.GetProcessById(pid);
                game.Kill(); // SIGKILL
                return pid;
            }
            catch (ArgumentException) when (Stopwatch.GetTimestamp() < deadline)
            {
                // That run ended as we read it (a restart in progress): read the new one.
            }
        }
    }

    [Theory]
    [InlineData(1280, 800, "desktop")]
    [InlineData(375, 812, "phone")]
    public async Task Operations_DesktopAndPhoneViewports_FitsTheWidthAndIsScreenshot(int width, int height, string name)
    {
        await up.WaitForReadyAsync(Recovery);
        await using var watched = await chromium.NewPageAsync(width, height);
        var page = watched.Page;
        await page.GotoAsync(up.ManagerUrl + "/");
        await watched.SignInAsync(SpacetimeUp.AdminToken);
        await Expect(page.Locator("#lifecycle-state")).ToHaveTextAsync("READY");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('chart-fps').dataset.points) >= 10", null,
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        await page.WaitForFunctionAsync("() => Number(document.getElementById('chart-requests').dataset.points) >= 2", null,
            new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
        await Expect(page.Locator("#logs")).ToContainTextAsync("READY");

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var path = await Screenshots.TakeAsync(page, $"dashboard-operations-{name}");
        Assert.True(new FileInfo(path).Length > 10_000);
        Assert.Empty(watched.Problems);
    }
}

using Microsoft.Playwright;

namespace SpaceTime.Dashboard.Tests;

/// <summary>Debian's Chromium (installed by test.sh), driven headless through Playwright. No browser is downloaded.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium (./test.sh does)");
        // The suite runs beside every other test project on a couple of cores: give page assertions room.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-dev-shm-usage",
            ],
        });
    }

    /// <summary>A fresh tab (own sessionStorage) that records console errors and failed requests.</summary>
    public async Task<WatchedPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        return new WatchedPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>A page with everything that went wrong in it: console errors, page errors, failed and 4xx/5xx requests.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];
    private readonly List<string> _requests = [];
    private readonly Lock _lock = new();

    public WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Request += (_, r) =>
        {
            lock (_lock)
            {
                _requests.Add(r.Url);
            }
        };
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                Record($"console error: {m.Text}");
            }
        };
        page.PageError += (_, e) => Record($"page error: {e}");
        page.RequestFailed += (_, r) => Record($"request failed: {r.Method} {r.Url} ({r.Failure})");
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                Record($"HTTP {r.Status}: {r.Request.Method} {r.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Every URL the page requested.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_lock)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Signs in through the page's form (a password field) and waits for the app to show.</summary>
    public async Task SignInAsync(string token)
    {
        await Page.Locator("#token").FillAsync(token);
        await Page.Locator("#signin button[type=submit]").ClickAsync();
        await Assertions.Expect(Page.Locator("#app")).ToBeVisibleAsync();
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private void Record(string problem)
    {
        lock (_lock)
        {
            _problems.Add(problem);
        }
    }
}

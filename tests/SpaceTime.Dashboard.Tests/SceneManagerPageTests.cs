using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SpaceTime.Dashboard.Tests;

/// <summary>
/// The scene manager page (<c>/web/scene_manager.html</c> on the game, <c>/godot/web/scene_manager.html</c> through the
/// manager) in Chromium against a real <c>spacetime up</c>: the deployment checklist's TASK 1 and the rest of the page.
/// </summary>
public sealed class SceneManagerPageTests(SpacetimeUp up, Chromium chromium) : IClassFixture<SpacetimeUp>, IClassFixture<Chromium>
{
    [Fact]
    public async Task SceneManager_DeveloperUsesReloadValidateAndInfo_EachWorksWithNoConsoleErrorsOrFailedRequests()
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        // The checklist's URL: the page on the game API itself.
        await page.GotoAsync($"{up.GameUrl}/web/scene_manager.html");
        await watched.SignInAsync(up.DeveloperToken);
        await Expect(page.Locator("#scene-path")).ToHaveTextAsync("res://vr_main.tscn");
        foreach (var button in new[] { "Reload Scene", "Validate Scene", "Scene Info" })
        {
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true })).ToBeEnabledAsync();
        }

        var before = (await up.GetJsonAsync("/godot/scene/history?limit=1")).GetProperty("total").GetInt64();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reload Scene", Exact = true }).ClickAsync();
        await Expect(page.Locator("#reload-result")).ToContainTextAsync("Reloaded VRMain");
        // The reload is in the history, checked through the API...
        var history = await up.GetJsonAsync("/godot/scene/history?limit=1");
        Assert.Equal(before + 1, history.GetProperty("total").GetInt64());
        var newest = history.GetProperty("history")[0];
        Assert.Equal("res://vr_main.tscn", newest.GetProperty("scene_path").GetString());
        Assert.Equal("success", newest.GetProperty("result").GetString());
        // ...and on the page.
        await Expect(page.Locator("#history tr").First).ToContainTextAsync("VRMain");

        await page.GetByRole(AriaRole.Button, new() { Name = "Validate Scene", Exact = true }).ClickAsync();
        var validation = page.Locator("#validate-result");
        await Expect(validation).ToHaveAttributeAsync("data-valid", "true");
        await Expect(validation).ToContainTextAsync("valid res://vr_main.tscn — 0 error(s)");

        await page.GetByRole(AriaRole.Button, new() { Name = "Scene Info", Exact = true }).ClickAsync();
        var scene = await up.GetJsonAsync("/godot/scene");
        var info = page.Locator("#info-result");
        await Expect(info.Locator("dd[data-field=Name]")).ToHaveTextAsync(scene.GetProperty("scene_name").GetString()!);
        await Expect(info.Locator("dd[data-field=Path]")).ToHaveTextAsync("res://vr_main.tscn");
        await Expect(info.Locator("dd[data-field=Nodes]")).ToHaveTextAsync(scene.GetProperty("node_count").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Expect(info.Locator("dd[data-field='Root type']")).ToHaveTextAsync("Node3D");
        await Expect(info.Locator("dd[data-field='Load time']")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d ms$"));

        // The live parts rendered too: node tree, history, map, player.
        await Expect(page.Locator("#tree summary").First).ToContainTextAsync("VRMain");
        await Expect(page.Locator("#player-name")).ToContainTextAsync("XROrigin3D (spawned)");
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-colliders", new System.Text.RegularExpressions.Regex("^[1-9]"));

        Assert.Empty(watched.Problems);
        Assert.DoesNotContain(up.DeveloperToken, page.Url, StringComparison.Ordinal);
        Assert.All(watched.Requests, url => Assert.DoesNotContain(up.DeveloperToken, url, StringComparison.Ordinal));
        Assert.Equal(up.DeveloperToken, await page.EvaluateAsync<string>("() => sessionStorage.getItem('spacetime.token')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length"));
    }

    [Fact]
    public async Task SceneManager_ReadonlyToken_MutatingControlsDisabledWithTheReason()
    {
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/scene_manager.html");
        await watched.SignInAsync(up.ReadOnlyToken);

        await Expect(page.Locator("#whoami")).ToContainTextAsync("(readonly)");
        foreach (var id in new[] { "#reload-scene", "#validate-scene", "#teleport-go", "#turn-left", "#turn-right" })
        {
            await Expect(page.Locator(id)).ToBeDisabledAsync();
            await Expect(page.Locator(id)).ToHaveAttributeAsync("title", "Needs the developer role (you are readonly)");
        }

        await Expect(page.Locator("[data-move]")).ToHaveCountAsync(4);
        foreach (var move in await page.Locator("[data-move]").AllAsync())
        {
            await Expect(move).ToBeDisabledAsync();
        }

        await Expect(page.Locator("#scene-list button").First).ToBeDisabledAsync();
        await Expect(page.Locator("#scene-gate")).ToContainTextAsync("need the developer role (you are readonly)");
        await Expect(page.Locator("#input-gate")).ToBeVisibleAsync();
        // Reading is allowed.
        await Expect(page.Locator("#scene-info")).ToBeEnabledAsync();
        await page.Locator("#scene-info").ClickAsync();
        await Expect(page.Locator("#info-result dd[data-field=Path]")).ToHaveTextAsync("res://vr_main.tscn");
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task SceneManager_WrongToken_ShowsASignInErrorAndKeepsNothing()
    {
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/scene_manager.html");

        await page.Locator("#token").FillAsync("not-a-real-token");
        await page.Locator("#signin button[type=submit]").ClickAsync();

        await Expect(page.Locator("#signin-error")).ToHaveTextAsync("Sign-in failed: the token was refused (wrong, expired or revoked).");
        await Expect(page.Locator("#app")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('spacetime.token')"));
        Assert.Equal("password", await page.Locator("#token").GetAttributeAsync("type"));
        // The only failure is the refused sign-in itself.
        Assert.All(watched.Problems, p => Assert.True(p.Contains("auth/whoami", StringComparison.Ordinal) || p.Contains("401", StringComparison.Ordinal), p));
        Assert.Contains(watched.Problems, p => p.StartsWith("HTTP 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SceneManager_RefusedAction_ShowsTheProblemMessageInThePage()
    {
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/scene_manager.html");
        await watched.SignInAsync(up.DeveloperToken);

        // (50, 50) is off the deck: the game answers 422 problem+json.
        await page.Locator("#teleport-x").FillAsync("50");
        await page.Locator("#teleport-z").FillAsync("50");
        await page.Locator("#teleport-go").ClickAsync();

        await Expect(page.Locator("#errors")).ToContainTextAsync("POST input/teleport → 422");
        await Expect(page.Locator("#scene-result")).ToContainTextAsync("teleport failed");
    }

    [Fact]
    public async Task SceneManager_TeleportAndTurn_MapShowsThePlayerWhereStatePlayerSays()
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/scene_manager.html");
        await watched.SignInAsync(up.DeveloperToken);

        await page.Locator("#teleport-x").FillAsync("2.5");
        await page.Locator("#teleport-z").FillAsync("-1.5");
        await page.Locator("#teleport-go").ClickAsync();
        await Expect(page.Locator("#scene-result")).ToContainTextAsync("Teleported to");
        await page.Locator("#turn-left").ClickAsync();
        await Expect(page.Locator("#scene-result")).ToContainTextAsync("Turned left");

        var player = await up.GetJsonAsync("/godot/state/player");
        var x = player.GetProperty("position").GetProperty("x").GetDouble();
        var z = player.GetProperty("position").GetProperty("z").GetDouble();
        var yaw = player.GetProperty("rotation").GetProperty("y").GetDouble();
        Assert.Equal(2.5, x, 2);
        Assert.Equal(-1.5, z, 2);
        Assert.Equal(30, yaw, 1);
        var map = page.Locator("#map");
        await Poll.UntilAsync(
            async () => (X: await map.GetAttributeAsync("data-player-x"), Z: await map.GetAttributeAsync("data-player-z"), Yaw: await map.GetAttributeAsync("data-player-yaw")),
            m => Near(m.X, x) && Near(m.Z, z) && Near(m.Yaw, yaw),
            "the map to draw the player where /state/player says",
            TimeSpan.FromSeconds(10));

        // The player's marker is drawn there: the canvas pixel at that point has the player's colour.
        var pixel = await page.EvaluateAsync<int[]>(
            """
            () => {
              const c = document.getElementById('map');
              const [px, pz] = c.dataset.playerPx.split(',').map(Number);
              const r = window.devicePixelRatio || 1;
              return Array.from(c.getContext('2d').getImageData(Math.round(px * r), Math.round(pz * r), 1, 1).data);
            }
            """);
        Assert.Equal([255, 209, 102], pixel[..3]);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task SceneManager_LoadFromTheListAndMoveForward_SceneLoadsAndThePlayerMoves()
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/");
        await watched.SignInAsync(up.DeveloperToken);
        var before = (await up.GetJsonAsync("/godot/scene/history?limit=1")).GetProperty("total").GetInt64();

        await page.Locator("#scene-list li", new() { HasText = "res://vr_main.tscn" }).GetByRole(AriaRole.Button, new() { Name = "Load" }).ClickAsync();

        await Expect(page.Locator("#scene-result")).ToContainTextAsync("Loaded VRMain");
        Assert.Equal(before + 1, (await up.GetJsonAsync("/godot/scene/history?limit=1")).GetProperty("total").GetInt64());
        var start = (await up.GetJsonAsync("/godot/state/player")).GetProperty("position").GetProperty("z").GetDouble();

        await page.Locator("[data-move=forward]").ClickAsync();

        await Expect(page.Locator("#scene-result")).ToContainTextAsync("Moving; now at");
        // Forward is -Z at yaw 0: the player walks 2 m/s for 0.5 s, then stops.
        var moved = await Poll.UntilAsync(
            () => up.GetJsonAsync("/godot/state/player"),
            p => p.GetProperty("position").GetProperty("z").GetDouble() < start - 0.5 && p.GetProperty("velocity").GetProperty("z").GetDouble() == 0,
            "the player to walk forward and stop",
            TimeSpan.FromSeconds(10));
        var z = moved.GetProperty("position").GetProperty("z").GetDouble().ToString("0.00", CultureInfo.InvariantCulture);
        await Expect(page.Locator("#player-position")).ToContainTextAsync($", {z})");
        Assert.Empty(watched.Problems);
    }

    [Theory]
    [InlineData(1280, 800, "desktop")]
    [InlineData(375, 812, "phone")]
    public async Task SceneManager_DesktopAndPhoneViewports_FitsTheWidthAndIsScreenshot(int width, int height, string name)
    {
        await up.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await using var watched = await chromium.NewPageAsync(width, height);
        var page = watched.Page;
        await page.GotoAsync($"{up.ManagerUrl}/godot/web/scene_manager.html");
        await watched.SignInAsync(up.DeveloperToken);
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-colliders", new System.Text.RegularExpressions.Regex("^[1-9]"));
        await Expect(page.Locator("#tree summary").First).ToContainTextAsync("VRMain");
        await Expect(page.Locator("#history tr").First).ToBeVisibleAsync();
        await page.Locator("#validate-scene").ClickAsync();
        await Expect(page.Locator("#validate-result")).ToHaveAttributeAsync("data-valid", "true");

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var path = await Screenshots.TakeAsync(page, $"dashboard-scene-manager-{name}");
        Assert.True(new FileInfo(path).Length > 10_000);
        Assert.Empty(watched.Problems);
    }

    private static bool Near(string? value, double expected) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && Math.Abs(v - expected) < 0.01;
}

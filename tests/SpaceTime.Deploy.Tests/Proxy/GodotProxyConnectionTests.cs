using System.Net;
using System.Text.Json.Nodes;
using SpaceTime.Deploy.Tests.Support;

namespace SpaceTime.Deploy.Tests.Proxy;

/// <summary>The manager's <c>/godot</c> proxy (what nginx forwards to) against a real game with a small connection cap.</summary>
public sealed class GodotProxyConnectionTests
{
    private const int GameConnectionCap = 4;

    [Fact]
    public async Task GodotProxy_MoreConcurrentClientsThanItsPoolToTheGame_AllAnsweredWithinTheGamesConnectionCap()
    {
        using var data = new TempFolder();
        using var config = new TempFolder();
        foreach (var file in Directory.GetFiles(RepositoryPaths.Path("config")))
        {
            File.Copy(file, Path.Combine(config.Path, Path.GetFileName(file)));
        }

        var environmentFile = Path.Combine(config.Path, "test.json");
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(environmentFile, TestContext.Current.CancellationToken))!;
        settings["http_api"]!["max_connections"] = GameConnectionCap;
        await File.WriteAllTextAsync(environmentFile, settings.ToJsonString(), TestContext.Current.CancellationToken);
        await using var running = await RunningSpacetime.StartAsync(data.Path, new Dictionary<string, string>
        {
            ["GODOT_ENV"] = "test",
            ["SPACETIME_CONFIG_DIR"] = config.Path,
        });

        // More clients at once than the proxy's pool to the game (half the game's cap): a proxy that opened one
        // connection to the game per client request in flight, next to the supervisor's own, went past the cap and the
        // game refused some (502). One client connection fewer than the cap: the manager caps its own clients with the
        // same setting, and the connection the start-up poll used may still be counted there for a moment.
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = GameConnectionCap - 1 })
        {
            BaseAddress = new Uri(running.ManagerUrl),
        };
        client.DefaultRequestHeaders.Authorization = new("Bearer", RunningSpacetime.AdminToken);
        var statuses = await Task.WhenAll(Enumerable.Range(0, GameConnectionCap - 1).Select(async _ =>
        {
            var seen = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                using var response = await client.GetAsync("/godot/status", TestContext.Current.CancellationToken);
                seen.Add(response.StatusCode == HttpStatusCode.OK ? "200"
                    : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            }

            return seen;
        }));

        var all = statuses.SelectMany(s => s).ToList();
        Assert.True(all.All(s => s == "200"), string.Join(", ", all.GroupBy(s => s).Select(g => $"{g.Key} x {g.Count()}")));
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace SpaceTime.Runtime.Tests;

/// <summary>
/// The runtime in process on a private copy of the demo project (so tests may add files to it) and a private
/// data dir, both deleted at the end. Loads the project's main scene (res://vr_main.tscn).
/// </summary>
public class RuntimeApiFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _scene;
    private readonly bool _ownsFolders;

    public RuntimeApiFixture()
        : this(scene: "")
    {
    }

    protected RuntimeApiFixture(string scene)
        : this(CopyDemoProject(), NewTempFolder("data"), scene, ownsFolders: true)
    {
    }

    /// <param name="projectPath">SpaceTime:ProjectPath.</param>
    /// <param name="dataDir">SpaceTime:DataDir.</param>
    /// <param name="scene">SpaceTime:Scene: "" for the main scene, "none" for nothing.</param>
    /// <param name="ownsFolders">Delete both folders on dispose.</param>
    internal RuntimeApiFixture(string projectPath, string dataDir, string scene, bool ownsFolders)
    {
        ProjectPath = projectPath;
        DataDir = dataDir;
        _scene = scene;
        _ownsFolders = ownsFolders;
    }

    public string ProjectPath { get; }

    public string DataDir { get; }

    public const string MainScene = "res://vr_main.tscn";

    /// <summary>Copies the demo project into a fresh temp folder.</summary>
    public static string CopyDemoProject()
    {
        var target = NewTempFolder("project");
        var source = RepositoryPaths.DemoProject;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    public static string NewTempFolder(string purpose) =>
        Directory.CreateTempSubdirectory($"spacetime-runtime-tests-{purpose}-").FullName;

    /// <summary>Writes a file into this runtime's project copy; returns its res:// path.</summary>
    public string WriteProjectFile(string relativePath, string text)
    {
        var file = Path.Combine(ProjectPath, relativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return "res://" + relativePath;
    }

    /// <summary>Polls <c>GET /state/player</c> until the player stands on ground; returns that state.</summary>
    public static Task<JsonElement> WaitForPlayerSpawnedAsync(HttpClient client) =>
        Poll.UntilAsync(
            () => client.GetJsonAsync("/state/player"),
            p => p.GetProperty("spawned").GetBoolean() && p.GetProperty("on_floor").GetBoolean(),
            "the player to spawn");

    /// <summary>The simulation's tick count from <c>GET /status</c>.</summary>
    public static async Task<long> GetTicksAsync(HttpClient client) =>
        (await client.GetJsonAsync("/status")).GetProperty("engine").GetProperty("ticks").GetInt64();

    /// <summary>Fails unless the simulation keeps ticking (after a bad request, for example).</summary>
    public static async Task AssertStillTickingAsync(HttpClient client)
    {
        var before = await GetTicksAsync(client);
        await Poll.UntilAsync(() => GetTicksAsync(client), t => t > before + 2, "the simulation to keep ticking");
    }

    /// <summary>Loads the main scene afresh (player back at the spawn point, facing -Z) and waits for the player.</summary>
    public static async Task<JsonElement> LoadMainSceneAsync(HttpClient client)
    {
        using var response = await client.PostJsonAsync("/scene", $$"""{"scene_path":"{{MainScene}}"}""");
        await response.ReadJsonAsync();
        return await WaitForPlayerSpawnedAsync(client);
    }

    public ValueTask InitializeAsync()
    {
        // Starts the host: options are validated and the start-up scene is loaded before this returns.
        _ = Server;
        return ValueTask.CompletedTask;
    }

    /// <summary>The static admin token this runtime accepts; <see cref="CreateClient"/> clients send it.</summary>
    public const string AdminToken = "test-admin-token-7f3a9c2e5b8d1f4a6c0e9b2d5f8a1c4e";

    /// <summary>More settings (keys as environment variables or <c>SpaceTime:*</c>) for fixtures that need them.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    /// <summary>A client that sends no Authorization header.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>A client that authenticates with <paramref name="token"/>.</summary>
    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        if (_ownsFolders)
        {
            DeleteFolder(ProjectPath);
            DeleteFolder(DataDir);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SpaceTime:ProjectPath", ProjectPath);
        builder.UseSetting("SpaceTime:DataDir", DataDir);
        builder.UseSetting("SpaceTime:Scene", _scene);
        builder.UseSetting("SpaceTime:Environment", "test");
        builder.UseSetting("SpaceTime:HttpPort", "0");
        builder.UseSetting("SpaceTime:TelemetryPort", "0");
        builder.UseSetting("SpaceTime:DiscoveryPort", "0");
        builder.UseSetting("API_TOKEN", AdminToken);
        foreach (var (key, value) in ExtraSettings)
        {
            builder.UseSetting(key, value);
        }

        // Tests assert on responses; the runtime's own (expected) warnings and errors would only bury failures.
        builder.ConfigureLogging(logging => logging.ClearProviders());
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test on cleanup.
        }
    }
}

/// <summary>The runtime started with <c>SpaceTime:Scene = none</c>: nothing is loaded.</summary>
public sealed class NoSceneRuntimeFixture() : RuntimeApiFixture("none");

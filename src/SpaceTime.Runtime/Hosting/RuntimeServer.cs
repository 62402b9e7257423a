using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using SpaceTime.Runtime.Status;

namespace SpaceTime.Runtime.Hosting;

/// <summary>
/// Starts the runtime on Kestrel. When the default port (8080) is taken it falls back to 8083, 8084, 8085,
/// as the original API did, and reports the port it got.
/// </summary>
public static class RuntimeServer
{
    /// <param name="settings">Settings from the command line (keys of <see cref="RuntimeOptions"/>); they win over environment variables.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <param name="flags">Configuration keys set on the command line (<c>--set key=value</c>).</param>
    /// <returns>The started host: a <see cref="WebApplication"/>, or a plain host when the HTTP API is off.</returns>
    public static async Task<IHost> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? flags = null)
    {
        var requested = RequestedPort(settings);
        int[] candidates = requested == RuntimeOptions.DefaultHttpPort ? [requested, .. RuntimeOptions.FallbackHttpPorts] : [requested];
        for (var i = 0; ; i++)
        {
            var overrides = new Dictionary<string, string?>(settings) { [nameof(RuntimeOptions.HttpPort)] = candidates[i].ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            // Data protection comes with authentication but protects nothing here (bearer tokens, no cookies).
            builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
            // Start-up failures reach the caller as exceptions and are reported there once, without a stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            if (!builder.AddSpaceTimeRuntime(overrides, flags).HttpApi.Enabled)
            {
                return await StartWithoutHttpAsync(settings, flags, cancellationToken);
            }

            var app = builder.Build();
            app.MapSpaceTimeRuntime();
            try
            {
                await app.StartAsync(cancellationToken);
                var port = StatusApi.ListeningPort(app.Services.GetRequiredService<IServer>());
                var host = app.Services.GetRequiredService<IOptions<RuntimeOptions>>().Value.Host;
                RuntimeLog.Listening(app.Services.GetRequiredService<ILogger<RuntimeOptions>>(), $"http://{host}:{port}");
                return app;
            }
            catch (IOException e) when (IsAddressInUse(e) && i + 1 < candidates.Length)
            {
                RuntimeLog.PortInUse(app.Services.GetRequiredService<ILogger<RuntimeOptions>>(), candidates[i], candidates[i + 1]);
                await AbandonAsync(app);
            }
            catch
            {
                await AbandonAsync(app);
                throw;
            }
        }
    }

    /// <summary>
    /// Stops what did start (background services end through their stopping token, not through disposal, which would
    /// report them as crashed) and releases the host after a failed start.
    /// </summary>
    internal static async Task AbandonAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ObjectDisposedException or OperationCanceledException)
        {
            // A host that failed half-way may not stop cleanly; the start failure is what the caller reports.
        }

        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>The documents' release rule: no HTTP API unless GODOT_ENABLE_HTTP_API=true. The game still runs.</summary>
    private static async Task<IHost> StartWithoutHttpAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? flags, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        var security = builder.AddSpaceTimeGame(settings, flags);
        var game = builder.Build();
        await game.StartAsync(cancellationToken);
        RuntimeLog.HttpApiOff(game.Services.GetRequiredService<ILogger<RuntimeOptions>>(), security.Environment);
        return game;
    }

    public static bool IsAddressInUse(Exception e) =>
        e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static int RequestedPort(IReadOnlyDictionary<string, string?> settings)
    {
        var text = settings.GetValueOrDefault(nameof(RuntimeOptions.HttpPort)) ?? Security.Configuration.EnvironmentVariableTable.Value("runtime.http_port", Environment.GetEnvironmentVariable);
        return int.TryParse(text, out var port) ? port : RuntimeOptions.DefaultHttpPort;
    }
}

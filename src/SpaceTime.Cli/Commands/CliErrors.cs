using Microsoft.Extensions.Options;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Cli.Commands;

/// <summary>Turns start-up failures into one clear line on standard error and a non-zero exit code.</summary>
internal static class CliErrors
{
    public const int Failure = 1;

    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync($"spacetime: error: {message}");
            return Failure;
        }
    }

    /// <summary>A message for failures a user can fix; null for bugs, which keep their stack trace.</summary>
    private static string? Describe(Exception e) => e switch
    {
        OptionsValidationException o => string.Join("; ", o.Failures),
        SceneLoadException s => s.Message,
        Packaging.PackagingException p => p.Message,
        Security.Storage.DamagedStoreException d => d.Message,
        Security.SecurityConfigurationException c => $"invalid configuration: {c.Message}",
        ArgumentException a when a.ParamName is not null => a.Message.Split(" (Parameter")[0],
        IOException io when Runtime.Hosting.RuntimeServer.IsAddressInUse(io) => io.Message,
        InvalidOperationException { InnerException: SceneLoadException } i => i.Message,
        UnauthorizedAccessException u => u.Message,
        System.Net.WebSockets.WebSocketException w => $"telemetry connection failed: {w.Message}",
        System.Net.Http.HttpRequestException h => $"could not reach the server: {h.Message}",
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => null,
    };
}

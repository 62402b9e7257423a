using Microsoft.Extensions.Options;
using SpaceTime.Engine.Scenes;

namespace SpaceTime.Cli.Commands;

/// <summary>Turns start-up failures into one clear line on standard error and a non-zero exit code.</summary>
internal static class CliErrors
{
    public const int Failure = 1;

    // errno values .NET puts in an IOException's HResult on Linux.
    private const int ReadOnlyFileSystem = 30;
    private const int NoSpaceLeft = 28;

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
        catch (Exception e)
        {
            // One line, never a stack trace: what a user can fix is described; anything else is named with its innermost cause.
            await Console.Error.WriteLineAsync($"spacetime: error: {Describe(e) ?? Unexpected(e)}");
            return Failure;
        }
    }

    private static string Unexpected(Exception e)
    {
        var inner = e;
        while (inner.InnerException is { } next)
        {
            inner = next;
        }

        return inner == e ? $"unexpected {e.GetType().Name}: {e.Message}" : $"unexpected {e.GetType().Name}: {e.Message} ({inner.GetType().Name}: {inner.Message})";
    }

    /// <summary>A message for failures a user can fix (ports, files, disk, configuration); null for anything else.</summary>
    private static string? Describe(Exception e) => e switch
    {
        OptionsValidationException o => string.Join("; ", o.Failures),
        SceneLoadException s => s.Message,
        Packaging.PackagingException p => p.Message,
        Security.Storage.DamagedStoreException d => d.Message,
        Security.SecurityConfigurationException c => $"invalid configuration: {c.Message}",
        ArgumentException a when a.ParamName is not null => a.Message.Split(" (Parameter")[0],
        IOException io when Runtime.Hosting.RuntimeServer.IsAddressInUse(io) => io.Message,
        InvalidOperationException { InnerException: IOException io } i when Runtime.Hosting.RuntimeServer.IsAddressInUse(io) => i.Message,
        InvalidOperationException { InnerException: SceneLoadException } i => i.Message,
        UnauthorizedAccessException u => u.Message,
        IOException { HResult: ReadOnlyFileSystem } io =>
            $"{io.Message}: the data dir must be writable (security state, history, audit trail and logs live there); remount it read-write or choose another with --data-dir",
        IOException { HResult: NoSpaceLeft } io => $"{io.Message}: the disk is full; free some space or choose another --data-dir",
        IOException io => io.Message,
        Microsoft.Data.Sqlite.SqliteException sql => $"database: {sql.Message}",
        System.Net.WebSockets.WebSocketException w => $"telemetry connection failed: {w.Message}",
        System.Net.Http.HttpRequestException h => $"could not reach the server: {h.Message}",
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => null,
    };
}

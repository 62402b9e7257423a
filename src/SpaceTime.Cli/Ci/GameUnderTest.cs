using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Cli.Ci;

/// <summary>
/// The game a CI test step checks: <c>spacetime manage</c> (this executable) supervising <c>spacetime serve</c> headless on the
/// repository's project, on free loopback ports, with a data folder and API token of its own; its output goes to a log file.
/// <see cref="DisposeAsync"/> stops the manager and with it the game (SIGTERM to the group, SIGKILL after a grace period).
/// </summary>
internal sealed class GameUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly ChildProcess _manager;
    private readonly StreamWriter _log;
    private readonly string _dataDir;

    private GameUnderTest(ChildProcess manager, StreamWriter log, string dataDir, int managerPort, int gamePort, int telemetryPort, string token)
    {
        (_manager, _log, _dataDir) = (manager, log, dataDir);
        (ManagerPort, GamePort, TelemetryPort, Token) = (managerPort, gamePort, telemetryPort, token);
    }

    public int ManagerPort { get; }

    public int GamePort { get; }

    public int TelemetryPort { get; }

    /// <summary>The API token of this run: never printed, given to the checks in-process.</summary>
    public string Token { get; }

    public string DataDir => _dataDir;

    public string GameUrl => $"http://127.0.0.1:{GamePort}";

    public string ManagerUrl => $"http://127.0.0.1:{ManagerPort}";

    public string TelemetryUrl => $"ws://127.0.0.1:{TelemetryPort}/telemetry";

    /// <summary>Starts the manager on <paramref name="project"/> (<paramref name="scene"/> as main scene), logging to <paramref name="logFile"/> and the logs folder.</summary>
    public static GameUnderTest Start(string project, string scene, string logFile, string logFolder)
    {
        var (managerPort, gamePort, telemetryPort) = (FreePort(), FreePort(), FreePort());
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var dataDir = Directory.CreateTempSubdirectory("spacetime-ci-").FullName;
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var synchronizedLog = TextWriter.Synchronized(log);
        var launcher = RuntimeLauncher.CurrentProcess();
        string[] arguments =
        [
            .. launcher.LeadingArguments, "manage",
            "--port", Text(managerPort), "--godot-port", Text(gamePort), "--telemetry-port", Text(telemetryPort),
            // A CI job does not announce itself on the network.
            "--discovery-port", "0",
            "--project-path", project, "--scene-path", scene, "--data-dir", dataDir, "--log-dir", logFolder,
        ];
        try
        {
            var manager = ChildProcess.Start(
                new ChildStartInfo(launcher.FileName, arguments) { Environment = new Dictionary<string, string?> { ["API_TOKEN"] = token } },
                TimeProvider.System,
                line => synchronizedLog.WriteLine(line.Text));
            return new GameUnderTest(manager, log, dataDir, managerPort, gamePort, telemetryPort, token);
        }
        catch
        {
            log.Dispose();
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    /// <summary>Waits until the manager's <c>/health</c> answers 200 (the game is READY); throws naming the log when it exits or the time is up.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, string logFile, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = PollInterval * 8 };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (_manager.HasExited)
                {
                    throw new CiStepException($"spacetime manage exited before the game was READY (log: {logFile})");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri($"{ManagerUrl}/health"), deadline.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.WhenAny(_manager.Exited, Task.Delay(PollInterval, deadline.Token));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CiStepException($"the game was not READY within {timeout.TotalSeconds:0} s (log: {logFile})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _manager.StopAsync(StopGrace);
            await _manager.DisposeAsync();
        }
        finally
        {
            await _log.DisposeAsync();
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>A port nothing listens on now: the kernel's pick for port 0, released for the child to bind.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}

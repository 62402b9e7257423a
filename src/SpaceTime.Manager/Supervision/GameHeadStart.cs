namespace SpaceTime.Manager.Supervision;

/// <summary>
/// The game process, started before the manager builds its own host, so that the two start side by side instead of
/// one after the other (the manager's host took about 400 ms before it started the game: docs/PERFORMANCE.md,
/// start-up). The supervisor adopts it as its first run; until then its output waits here. One that is never adopted
/// (the manager failed to start) is stopped by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class GameHeadStart : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly List<LogLine> _early = [];
    private Action<LogLine>? _output;
    private bool _adopted;

    private GameHeadStart(ChildStartInfo command) => Command = command;

    /// <summary>What the game was started with.</summary>
    public ChildStartInfo Command { get; }

    /// <summary>Whether the game was started with exactly <paramref name="command"/> (a supervisor adopts it only then).</summary>
    public bool StartedWith(ChildStartInfo command) =>
        command.FileName == Command.FileName && command.WorkingDirectory == Command.WorkingDirectory
        && command.Arguments.SequenceEqual(Command.Arguments)
        && command.Environment.Count == Command.Environment.Count
        && command.Environment.All(e => Command.Environment.TryGetValue(e.Key, out var value) && value == e.Value);

    private ChildProcess Child { get; set; } = null!;

    /// <summary>Starts the game; null when it cannot be started here (the supervisor then tries, and reports why).</summary>
    public static GameHeadStart? TryStart(ChildStartInfo command, TimeProvider time)
    {
        var headStart = new GameHeadStart(command);
        try
        {
            headStart.Child = ChildProcess.Start(command, time, headStart.Relay);
            return headStart;
        }
        catch (Exception e) when (e is FileNotFoundException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Hands the running game to its supervisor: the lines it wrote so far, then every later one, go to <paramref name="output"/>.</summary>
    internal ChildProcess Adopt(Action<LogLine> output)
    {
        lock (_lock)
        {
            foreach (var line in _early)
            {
                output(line);
            }

            _early.Clear();
            _output = output;
            _adopted = true;
            return Child;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_adopted)
            {
                return;
            }

            _adopted = true;
        }

        await Child.StopAsync(StopGrace);
        await Child.DisposeAsync();
    }

    private void Relay(LogLine line)
    {
        lock (_lock)
        {
            if (_output is { } output)
            {
                output(line);
            }
            else
            {
                _early.Add(line);
            }
        }
    }
}

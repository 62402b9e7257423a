using System.Net.WebSockets;
using System.Threading.Channels;

namespace SpaceTime.Runtime.Telemetry;

/// <summary>
/// One telemetry client. Producers never touch the socket: periodic streams overwrite a latest-value slot
/// (an unsent older value is dropped), events go to a bounded queue (the oldest is dropped when full), and a
/// sender task of this connection alone writes to the socket. A slow or stalled client therefore costs a fixed
/// amount of memory and never delays anyone else.
/// </summary>
public sealed class TelemetryConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<byte[]> _events;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _nextDue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _intervals = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscriptions = new(TelemetryMessages.Streams, StringComparer.Ordinal);
    private readonly TimeSpan _sendTimeout;
    private long _dropped;
    private long _sent;
    private long _reported;

    public TelemetryConnection(string id, string address, WebSocket socket, TelemetryOptions options)
    {
        Id = id;
        Address = address;
        _socket = socket;
        _sendTimeout = TimeSpan.FromSeconds(options.SendTimeoutSeconds);
        _intervals[TelemetryMessages.Fps] = TimeSpan.FromMilliseconds(options.FpsIntervalMs);
        _intervals[TelemetryMessages.VrTracking] = TimeSpan.FromMilliseconds(options.VrTrackingIntervalMs);
        _events = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(options.SendQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string Id { get; }

    public string Address { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Raised (from the sender) each time messages are dropped for this client.</summary>
    public event Action<int>? MessagesDropped;

    public bool IsSubscribed(string stream)
    {
        lock (_lock)
        {
            return _subscriptions.Contains(stream);
        }
    }

    public void Subscribe(IEnumerable<string> streams, bool subscribe)
    {
        lock (_lock)
        {
            foreach (var stream in streams)
            {
                if (subscribe)
                {
                    _subscriptions.Add(stream);
                }
                else
                {
                    _subscriptions.Remove(stream);
                }
            }
        }
    }

    public IReadOnlyList<string> Subscriptions
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscriptions.Order(StringComparer.Ordinal)];
            }
        }
    }

    public void SetInterval(string stream, TimeSpan interval)
    {
        lock (_lock)
        {
            _intervals[stream] = interval;
            _nextDue.Remove(stream);
        }
    }

    public TimeSpan Interval(string stream)
    {
        lock (_lock)
        {
            return _intervals[stream];
        }
    }

    /// <summary>True when a periodic stream is subscribed and its period has passed (and marks it taken).</summary>
    public bool TakeDue(string stream, long now, long frequency)
    {
        lock (_lock)
        {
            if (!_subscriptions.Contains(stream))
            {
                return false;
            }

            if (_nextDue.TryGetValue(stream, out var due) && now < due)
            {
                return false;
            }

            var period = (long)(_intervals[stream].TotalSeconds * frequency);
            // Keep the cadence, but never try to catch up a backlog of missed periods.
            _nextDue[stream] = due != 0 && now - due < period ? due + period : now + period;
            return true;
        }
    }

    /// <summary>Replaces the pending value of a periodic stream.</summary>
    public void OfferLatest(string stream, byte[] message)
    {
        lock (_lock)
        {
            if (_latest.ContainsKey(stream))
            {
                Interlocked.Increment(ref _dropped);
            }

            _latest[stream] = message;
        }

        Wake();
    }

    /// <summary>Queues an event (or reply); the oldest queued one is dropped when the queue is full.</summary>
    public void Enqueue(byte[] message)
    {
        _events.Writer.TryWrite(message);
        Wake();
    }

    /// <summary>Writes queued messages to the socket until it closes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunSenderAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendLoopAsync(cancellationToken);
        }
        finally
        {
            ReportDrops();
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            await _signal.WaitAsync(cancellationToken);
            while (TakeNext() is { } message)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_sendTimeout);
                try
                {
                    await _socket.SendAsync(message, WebSocketMessageType.Text, true, timeout.Token);
                    Interlocked.Increment(ref _sent);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Stalled: the peer has not taken a message for the whole send timeout.
                    _socket.Abort();
                    return;
                }
            }

            ReportDrops();
        }
    }

    /// <summary>Passes drops not yet reported to <see cref="MessagesDropped"/> (the metrics).</summary>
    private void ReportDrops()
    {
        var dropped = Dropped;
        var reported = Interlocked.Exchange(ref _reported, dropped);
        if (dropped > reported)
        {
            MessagesDropped?.Invoke((int)(dropped - reported));
        }
    }

    public void Complete()
    {
        _events.Writer.TryComplete();
        Wake();
    }

    private byte[]? TakeNext()
    {
        lock (_lock)
        {
            // Periodic values first: they are what a live view shows.
            foreach (var stream in _latest.Keys)
            {
                var message = _latest[stream];
                _latest.Remove(stream);
                return message;
            }
        }

        return _events.Reader.TryRead(out var queued) ? queued : null;
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by another producer.
            }
        }
    }
}

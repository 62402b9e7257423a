namespace SpaceTime.Security.Storage;

/// <summary>The state of the data dir's storage as the last writes found it, for <c>/health</c>.</summary>
public sealed record StorageState(bool Healthy, string? Store, string? Problem, DateTimeOffset? Since);

/// <summary>
/// Whether records can be made durable. Every store reports its writes here: a failed write marks storage failed
/// (health says <c>storage: fail</c>), the next successful write to that store clears it. While it is failed, <see cref="Probe"/>
/// tries a small write in the data dir, so health recovers by itself when space returns even if no request writes.
/// </summary>
public sealed class StorageHealth(TimeProvider time)
{
    /// <summary>Seconds a client should wait before retrying a write refused for storage.</summary>
    public const int RetryAfterSeconds = 5;

    private const int ProbeBytes = 256 * 1024;

    /// <summary>A healthy data dir is probed at most this often, however often health is asked (probes write 256 KiB).</summary>
    public static readonly TimeSpan HealthyProbeInterval = TimeSpan.FromSeconds(5);

    private StorageState _state = new(true, null, null, null);
    private long _lastProbe = long.MinValue;

    public StorageState Current => Volatile.Read(ref _state);

    public void Failed(string store, Exception error)
    {
        var current = Current;
        if (current.Healthy || current.Store != store)
        {
            Volatile.Write(ref _state, new StorageState(false, store, StorageUnavailableException.Describe(error), current.Since ?? time.GetUtcNow()));
        }
    }

    /// <summary>
    /// A write to <paramref name="store"/> succeeded: clears a failure of that store only (a record that fitted
    /// into a file's last block says nothing about the database next to it).
    /// </summary>
    public void Succeeded(string store)
    {
        if (!Current.Healthy && Current.Store == store)
        {
            Clear();
        }
    }

    private void Clear() => Volatile.Write(ref _state, new StorageState(true, null, null, null));

    /// <summary>
    /// Writes and removes a small file in <paramref name="folder"/> while storage is failed (or, with <paramref name="always"/>,
    /// also while healthy, at most every <see cref="HealthyProbeInterval"/>): success clears the failure, an error sets it.
    /// </summary>
    public StorageState Probe(string folder, bool always = false)
    {
        if (Current.Healthy && (!always || (Volatile.Read(ref _lastProbe) != long.MinValue && time.GetElapsedTime(Volatile.Read(ref _lastProbe)) < HealthyProbeInterval)))
        {
            return Current;
        }

        Volatile.Write(ref _lastProbe, time.GetTimestamp());
        var probe = Path.Combine(folder, $".storage-probe-{Environment.ProcessId}");
        try
        {
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                // Enough room for a WAL checkpoint and some records, not just one block: a few free kilobytes must
                // not declare a full disk healthy. No fsync: the file system reserves space at write (ENOSPC here).
                stream.Write(new byte[ProbeBytes]);
            }

            Clear();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Current.Healthy)
            {
                Failed("data dir", e);
            }
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only dir never had the file.
            }
        }

        return Current;
    }
}

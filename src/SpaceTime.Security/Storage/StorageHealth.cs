namespace SpaceTime.Security.Storage;

/// <summary>The state of the data dir's storage as the last writes found it, for <c>/health</c>.</summary>
public sealed record StorageState(bool Healthy, string? Store, string? Problem, DateTimeOffset? Since);

/// <summary>
/// Whether records can be made durable. Every store reports its writes here: a failed write marks storage failed
/// (health says <c>storage: fail</c>), the next successful write clears it. While it is failed, <see cref="Probe"/>
/// tries a small write in the data dir, so health recovers by itself when space returns even if no request writes.
/// </summary>
public sealed class StorageHealth(TimeProvider time)
{
    /// <summary>Seconds a client should wait before retrying a write refused for storage.</summary>
    public const int RetryAfterSeconds = 5;

    private StorageState _state = new(true, null, null, null);

    public StorageState Current => Volatile.Read(ref _state);

    public void Failed(string store, Exception error)
    {
        var current = Current;
        if (current.Healthy || current.Store != store)
        {
            Volatile.Write(ref _state, new StorageState(false, store, StorageUnavailableException.Describe(error), current.Since ?? time.GetUtcNow()));
        }
    }

    public void Succeeded()
    {
        if (!Current.Healthy)
        {
            Volatile.Write(ref _state, new StorageState(true, null, null, null));
        }
    }

    /// <summary>
    /// Writes and removes a small file in <paramref name="folder"/> while storage is failed (or always, with
    /// <paramref name="always"/>): success clears the failure, an error sets it.
    /// </summary>
    public StorageState Probe(string folder, bool always = false)
    {
        if (Current.Healthy && !always)
        {
            return Current;
        }

        var probe = Path.Combine(folder, $".storage-probe-{Environment.ProcessId}");
        try
        {
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                // No fsync: the file system reserves the space at write (ENOSPC here), which is what is asked.
                stream.Write(new byte[16 * 1024]);
            }

            Succeeded();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Failed("data dir", e);
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

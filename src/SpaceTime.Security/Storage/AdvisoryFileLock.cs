using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SpaceTime.Security.Storage;

/// <summary>
/// An exclusive <c>flock(2)</c> on a small lock file, shared by every process on one host that opens the same path.
/// The file is opened with <c>open(2)</c> directly: .NET's own <see cref="FileStream"/> takes a shared <c>flock</c> at
/// open, and upgrading that shared lock to an exclusive one would deadlock two processes that both hold it.
/// The kernel drops the lock when its holder dies, so a process killed inside the lock never blocks the others.
/// The file's first 8 bytes are a counter the holders can use to tell each other that something changed (a rotation).
/// </summary>
public sealed partial class AdvisoryFileLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockUnlock = 8;
    private const int OpenReadWrite = 0x2;
    private const int OpenCreate = 0x40;
    private const int OpenCloseOnExec = 0x80000;
    private const int Interrupted = 4;

    private readonly SafeFileHandle _handle;

    public AdvisoryFileLock(string path)
    {
        Path = path;
        var fd = Open(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, Convert.ToInt32("600", 8));
        if (fd < 0)
        {
            throw new IOException($"cannot open lock file {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        _handle = new SafeFileHandle(fd, ownsHandle: true);
    }

    public string Path { get; }

    /// <summary>Blocks until this process holds the lock; dispose the result to release it.</summary>
    public Held Acquire()
    {
        while (Flock(_handle, LockExclusive) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error != Interrupted)
            {
                throw new IOException($"cannot lock {Path}: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }

        return new Held(this);
    }

    /// <summary>The shared counter; only meaningful while the lock is held.</summary>
    public long ReadCounter()
    {
        Span<byte> buffer = stackalloc byte[8];
        return RandomAccess.Read(_handle, buffer, 0) == 8 ? BitConverter.ToInt64(buffer) : 0;
    }

    public void WriteCounter(long value) => RandomAccess.Write(_handle, BitConverter.GetBytes(value), 0);

    public void Dispose() => _handle.Dispose();

    private void Release() => Flock(_handle, LockUnlock);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    /// <summary>The lock, held until disposed.</summary>
    public readonly struct Held(AdvisoryFileLock owner) : IDisposable
    {
        public void Dispose() => owner.Release();
    }
}

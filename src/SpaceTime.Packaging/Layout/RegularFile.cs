using System.Runtime.InteropServices;

namespace SpaceTime.Packaging.Layout;

/// <summary>
/// Whether a path is a regular file, without opening it: .NET reports FIFOs and devices as ordinary files, and
/// opening a FIFO to hash it would block forever. Linux <c>statx(2)</c> with <c>AT_SYMLINK_NOFOLLOW</c>; its struct
/// layout is the same on every architecture (<c>stx_mode</c> at byte 28).
/// </summary>
internal static partial class RegularFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;

    public static bool Is(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) && (File.GetAttributes(path) & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0;
        }

        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            return false;
        }

        var mode = BitConverter.ToUInt16(buffer, ModeOffset);
        return (mode & TypeMask) == Regular;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}

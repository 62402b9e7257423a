using System.Security.Cryptography;

namespace SpaceTime.Security.Storage;

/// <summary>
/// Which instance wrote a record: <c>SPACETIME_INSTANCE_ID</c> when set, otherwise an id kept in the data dir's
/// <c>instance_id</c> file, created once under <c>instance_id.lock</c> (the first process to take the lock makes it; the
/// others read it).
/// </summary>
public sealed class InstanceIdentity
{
    public const string FileName = "instance_id";

    public InstanceIdentity(string id) => Id = id;

    public string Id { get; }

    public static InstanceIdentity Resolve(string dataDir, string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new InstanceIdentity(configured.Trim());
        }

        Directory.CreateDirectory(dataDir);
        var file = Path.Combine(dataDir, FileName);
        if (TryRead(file) is { } existing)
        {
            return new InstanceIdentity(existing);
        }

        // Made under an exclusive lock, so processes starting at once agree: the first makes it, the others read it
        // (File.Move without overwrite checks, then renames: two at once could both "win").
        using var fileLock = new AdvisoryFileLock(file + ".lock");
        using (fileLock.Acquire())
        {
            if (TryRead(file) is { } made)
            {
                return new InstanceIdentity(made);
            }

            if (File.Exists(file))
            {
                // Always written whole (renamed into place), so an empty one was damaged: say so rather than become another instance.
                throw new InvalidDataException($"{file} is empty: delete it to have a new instance id made");
            }

            var id = $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
            var temp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temp, id + "\n");
            File.Move(temp, file, overwrite: true);
            return new InstanceIdentity(id);
        }
    }

    private static string? TryRead(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var text = File.ReadAllText(file).Trim();
        return text.Length == 0 ? null : text;
    }
}

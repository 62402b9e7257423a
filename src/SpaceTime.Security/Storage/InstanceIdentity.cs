using System.Security.Cryptography;

namespace SpaceTime.Security.Storage;

/// <summary>
/// Which instance wrote a record: <c>SPACETIME_INSTANCE_ID</c> when set, otherwise an id kept in the data dir's
/// <c>instance_id</c> file, created once (the first process to create it wins; the others read it).
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

        var id = $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var temp = $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, id + "\n");
        try
        {
            // No overwrite: when two processes start at once, the first file in place is the id of both.
            File.Move(temp, file, overwrite: false);
        }
        catch (IOException) when (File.Exists(file))
        {
            File.Delete(temp);
        }

        return new InstanceIdentity(TryRead(file) ?? throw new InvalidDataException($"{file} is empty: delete it to have a new instance id made"));
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

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Runtime.Recordings;

/// <summary>
/// The one recording in progress (recordings are of the whole world, so there is at most one) and the finished
/// ones, kept as JSON files in <c>DATA_DIR/recordings</c>: files an agent or a CI job can keep and replay later.
/// </summary>
public sealed class RecordingStore
{
    public const int MaxRecordings = 200;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Lock _sync = new();
    private InputRecorder? _active;

    public RecordingStore(IOptions<RuntimeOptions> options)
    {
        Folder = Path.Combine(Path.GetFullPath(options.Value.DataDir), "recordings");
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public static string NewId() => "rec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Claims the recording slot; false when a recording is already running.</summary>
    public bool TryBegin(InputRecorder recorder)
    {
        lock (_sync)
        {
            if (_active is not null)
            {
                return false;
            }

            _active = recorder;
            return true;
        }
    }

    public InputRecorder? Active
    {
        get
        {
            lock (_sync)
            {
                return _active;
            }
        }
    }

    /// <summary>Releases the slot if <paramref name="id"/> holds it; returns the recorder.</summary>
    public InputRecorder? End(string id)
    {
        lock (_sync)
        {
            if (_active?.Id != id)
            {
                return null;
            }

            var recorder = _active;
            _active = null;
            return recorder;
        }
    }

    public void Save(InputRecording recording)
    {
        var files = Directory.GetFiles(Folder, "rec_*.json").Select(f => new FileInfo(f)).OrderBy(f => f.LastWriteTimeUtc).ToList();
        foreach (var old in files.Take(Math.Max(0, files.Count - MaxRecordings + 1)))
        {
            old.Delete();
        }

        var path = PathOf(recording.Id)!;
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(recording, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public InputRecording? Get(string id) =>
        PathOf(id) is { } path && File.Exists(path) ? JsonSerializer.Deserialize<InputRecording>(File.ReadAllBytes(path), Json) : null;

    public IReadOnlyList<string> List() =>
        [.. Directory.GetFiles(Folder, "rec_*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal)];

    /// <summary>Ids are generated (rec_ + 16 hex digits); anything else is not a file name here.</summary>
    private string? PathOf(string id) =>
        id.StartsWith("rec_", StringComparison.Ordinal) && id.Length == 20 && id[4..].All(char.IsAsciiHexDigitLower) ? Path.Combine(Folder, id + ".json") : null;
}

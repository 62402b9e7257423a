using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Discovery;

/// <summary>What a runtime announces over UDP. Never carries a secret.</summary>
public sealed record DiscoveryAnnouncement(
    string Service,
    string InstanceId,
    string Version,
    string Environment,
    string Host,
    int? HttpPort,
    int? TelemetryPort,
    string? Scene,
    double Timestamp)
{
    public const string ServiceName = "SpaceTime";

    public const int DefaultPort = 8087;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads an announcement; null for anything else that arrives on the port.</summary>
    public static DiscoveryAnnouncement? TryParse(ReadOnlySpan<byte> data)
    {
        try
        {
            var announcement = JsonSerializer.Deserialize<DiscoveryAnnouncement>(data, Json);
            return announcement is { Service: ServiceName, InstanceId.Length: > 0 } ? announcement : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An announcement and who sent it.</summary>
public sealed record DiscoveredInstance(DiscoveryAnnouncement Announcement, IPEndPoint From, DateTimeOffset LastSeen, int Count);

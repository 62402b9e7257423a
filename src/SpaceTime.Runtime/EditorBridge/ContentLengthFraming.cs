using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SpaceTime.Runtime.EditorBridge;

/// <summary>The base protocol shared by DAP and LSP: <c>Content-Length: N\r\n\r\n</c> then N bytes of JSON.</summary>
public static class ContentLengthFraming
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    public static async Task WriteAsync(Stream stream, JsonNode message, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(header, cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one message; null when the peer closed the stream cleanly between messages.</summary>
    public static async Task<JsonNode?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var contentLength = -1;
        while (true)
        {
            var line = await ReadHeaderLineAsync(stream, cancellationToken);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        if (contentLength is < 0 or > MaxMessageBytes)
        {
            throw new InvalidDataException($"bad or missing Content-Length ({contentLength})");
        }

        var body = new byte[contentLength];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return JsonNode.Parse(body);
    }

    private static async Task<string?> ReadHeaderLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return bytes.Count == 0 ? null : throw new EndOfStreamException("stream ended inside a header");
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
            }

            bytes.Add(one[0]);
            if (bytes.Count > 8192)
            {
                throw new InvalidDataException("header line too long");
            }
        }
    }
}

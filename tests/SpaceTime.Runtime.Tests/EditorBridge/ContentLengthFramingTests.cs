using System.Text;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using SpaceTime.Runtime.EditorBridge;

namespace SpaceTime.Runtime.Tests.EditorBridge;

/// <summary>The base protocol of DAP and LSP: <c>Content-Length: N\r\n\r\n</c> and N bytes of JSON.</summary>
public sealed class ContentLengthFramingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Write_ThenRead_RoundTripsTwoMessagesBackToBack()
    {
        using var stream = new MemoryStream();
        await ContentLengthFraming.WriteAsync(stream, new JsonObject { ["seq"] = 1, ["command"] = "initialize", ["name"] = "héllo ✓" }, Cancel);
        await ContentLengthFraming.WriteAsync(stream, new JsonObject { ["seq"] = 2 }, Cancel);
        stream.Position = 0;

        var first = await ContentLengthFraming.ReadAsync(stream, Cancel);
        var second = await ContentLengthFraming.ReadAsync(stream, Cancel);

        Assert.Equal("héllo ✓", (string?)first!["name"]);
        Assert.Equal(2, (int?)second!["seq"]);
        Assert.Null(await ContentLengthFraming.ReadAsync(stream, Cancel));
    }

    [Fact]
    public async Task Write_MultibyteBody_LengthCountsBytesNotCharacters()
    {
        using var stream = new MemoryStream();

        await ContentLengthFraming.WriteAsync(stream, new JsonObject { ["s"] = "✓" }, Cancel);

        var text = Encoding.UTF8.GetString(stream.ToArray());
        var body = Encoding.UTF8.GetBytes(((JsonNode)new JsonObject { ["s"] = "✓" }).ToJsonString());
        Assert.StartsWith($"Content-Length: {body.Length}\r\n\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_OtherHeadersAndLowercaseName_Accepted()
    {
        using var stream = Bytes("content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");

        var message = await ContentLengthFraming.ReadAsync(stream, Cancel);

        Assert.IsType<JsonObject>(message);
    }

    [Fact]
    public async Task Read_MissingContentLength_InvalidDataException()
    {
        using var stream = Bytes("Content-Type: application/json\r\n\r\n{}");

        await Assert.ThrowsAsync<InvalidDataException>(() => ContentLengthFraming.ReadAsync(stream, Cancel));
    }

    [Fact]
    public async Task Read_CleanEndOfStream_Null()
    {
        using var stream = new MemoryStream();

        Assert.Null(await ContentLengthFraming.ReadAsync(stream, Cancel));
    }

    [Fact]
    public async Task Read_StreamEndsInsideHeader_EndOfStreamException()
    {
        using var stream = Bytes("Content-Len");

        await Assert.ThrowsAsync<EndOfStreamException>(() => ContentLengthFraming.ReadAsync(stream, Cancel));
    }

    [Fact]
    public async Task Read_StreamEndsInsideBody_EndOfStreamException()
    {
        using var stream = Bytes("Content-Length: 10\r\n\r\n{}");

        await Assert.ThrowsAsync<EndOfStreamException>(() => ContentLengthFraming.ReadAsync(stream, Cancel));
    }

    [Property(MaxTest = 200)]
    public bool WriteThenRead_AnyString_RoundTrips(string? value)
    {
        using var stream = new MemoryStream();
        ContentLengthFraming.WriteAsync(stream, new JsonObject { ["value"] = value }, CancellationToken.None).GetAwaiter().GetResult();
        stream.Position = 0;

        var message = ContentLengthFraming.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult();

        return (string?)message!["value"] == value && stream.Position == stream.Length;
    }
}

using System.Net.Http.Headers;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace SpaceTime.Runtime.Agents.Mcp;

/// <summary>
/// <c>spacetime mcp</c>: an MCP server on standard input/output for desktop agents that only speak stdio, forwarding
/// <c>tools/list</c> and <c>tools/call</c> to a running game's <c>/mcp</c> with the given bearer token. The game decides
/// everything (which tools the token may see and call, the answers); the bridge adds nothing.
/// </summary>
public static class McpStdioBridge
{
    /// <param name="gameUrl">The game API (e.g. http://127.0.0.1:8080) or a manager's /godot prefix; "/mcp" is appended.</param>
    /// <param name="token">Bearer token for the game.</param>
    /// <param name="input">Where requests arrive (stdin).</param>
    /// <param name="output">Where responses go (stdout).</param>
    /// <param name="cancellationToken">Stops the bridge.</param>
    public static async Task RunAsync(Uri gameUrl, string? token, Stream input, Stream output, CancellationToken cancellationToken)
    {
        var http = new HttpClient();
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var endpoint = new Uri(gameUrl.ToString().TrimEnd('/') + McpHostingExtensions.Path);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp, Name = "spacetime-bridge" },
            http, loggerFactory: null, ownsHttpClient: true);
        await using var game = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken).ConfigureAwait(false);
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "spacetime", Version = game.ServerInfo?.Version ?? "1.0.0" },
            ServerInstructions = game.ServerInstructions,
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = async (request, ct) => await game.ListToolsAsync(request.Params ?? new ListToolsRequestParams(), ct).ConfigureAwait(false),
                CallToolHandler = async (request, ct) => await game.CallToolAsync(request.Params!, ct).ConfigureAwait(false),
            },
        };
        await using var server = McpServer.Create(new StreamServerTransport(input, output, "spacetime"), options);
        await server.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}

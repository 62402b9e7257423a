using System.CommandLine;
using SpaceTime.Runtime.Agents.Mcp;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime mcp --url URL --token T</c>: an MCP server on stdio that forwards to a running game's <c>/mcp</c>.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The game API (default http://127.0.0.1:8080; a manager's http://host:port/godot works too).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var token = new Option<string?>("--token") { Description = "Bearer token for the game (default: $SPACETIME_TOKEN)." };
        var command = new Command("mcp", "Serve MCP on standard input/output for agents that only speak stdio, forwarding to a running game's /mcp.") { url, token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var game) || game.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync($"error: --url must be an http(s) URL, not '{parse.GetValue(url)}'");
                return 2;
            }

            var bearer = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("SPACETIME_TOKEN");
            try
            {
                await McpStdioBridge.RunAsync(game, bearer, Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellationToken);
                return 0;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot reach the game's MCP endpoint at {game}: {e.Message}");
                return CliErrors.Failure;
            }
        });
        return command;
    }
}

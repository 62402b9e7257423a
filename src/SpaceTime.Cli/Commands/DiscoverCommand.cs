using System.CommandLine;
using System.Text.Json;
using SpaceTime.Runtime.Discovery;
using SpaceTime.Security;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime discover</c>: lists the SpaceTime instances announcing themselves on UDP.</summary>
internal static class DiscoverCommand
{
    public static Command Create()
    {
        var timeout = new Option<string>("--timeout") { Description = "How long to listen (announcements come every 5 s).", DefaultValueFactory = _ => "6s" };
        var port = new Option<int>("--port") { Description = "UDP port to listen on.", DefaultValueFactory = _ => DiscoveryAnnouncement.DefaultPort };
        var json = new Option<bool>("--json") { Description = "Print the instances as a JSON array." };
        var command = new Command("discover", "Listen for SpaceTime discovery announcements and list the instances heard.") { timeout, port, json };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            if (!TokenTtl.TryParse(parse.GetValue(timeout), out var duration) || duration > TimeSpan.FromHours(1))
            {
                throw new ArgumentException($"--timeout '{parse.GetValue(timeout)}' must look like 6s or 1m (at most 1h)", "timeout");
            }

            var listenPort = parse.GetValue(port);
            if (listenPort is < 1 or > 65535)
            {
                throw new ArgumentException($"--port {listenPort} must be 1-65535", "port");
            }

            var instances = await DiscoveryListener.ListenAsync(listenPort, duration, cancellationToken);
            if (parse.GetValue(json))
            {
                var rows = instances.Select(i => new
                {
                    i.Announcement.InstanceId,
                    i.Announcement.Service,
                    i.Announcement.Version,
                    i.Announcement.Environment,
                    i.Announcement.Host,
                    i.Announcement.HttpPort,
                    i.Announcement.TelemetryPort,
                    i.Announcement.Scene,
                    From = i.From.ToString(),
                    Announcements = i.Count,
                    LastSeen = i.LastSeen,
                });
                Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
                return 0;
            }

            if (instances.Count == 0)
            {
                Console.WriteLine($"No SpaceTime instance heard on UDP port {listenPort} in {duration.TotalSeconds:0.#} s.");
                return 0;
            }

            Console.WriteLine($"{"INSTANCE",-18} {"ENVIRONMENT",-12} {"HTTP",-22} {"TELEMETRY",-22} {"VERSION",-8} SCENE");
            foreach (var i in instances)
            {
                var a = i.Announcement;
                Console.WriteLine($"{a.InstanceId,-18} {a.Environment,-12} {$"{a.Host}:{a.HttpPort}",-22} {$"{a.Host}:{a.TelemetryPort}",-22} {a.Version,-8} {a.Scene}");
            }

            return 0;
        }));
        return command;
    }
}

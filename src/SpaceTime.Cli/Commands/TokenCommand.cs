using System.CommandLine;
using SpaceTime.Security;
using SpaceTime.Security.Authentication;
using SpaceTime.Security.State;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Cli.Commands;

/// <summary><c>spacetime token issue</c>: mints a bearer token with the runtime's signing key and prints it alone.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var role = new Option<string?>("--role") { Description = $"Role of the token: {string.Join(", ", Roles.All)}. Default: the environment's authorization.default_role (readonly)." };
        var ttl = new Option<string?>("--ttl") { Description = "Lifetime, e.g. 30m, 24h, 7d. Default: the environment's token_expiry_seconds." };
        var subject = new Option<string>("--subject") { Description = "Who the token is for.", DefaultValueFactory = _ => System.Environment.UserName };
        var dataDir = new Option<string?>("--data-dir") { Description = "The runtime's data dir (holds the signing key when JWT_SECRET_KEY is not set). Env: SPACETIME_DATA_DIR." };
        var environment = new Option<string?>("--environment") { Description = "Environment whose settings apply. Env: GODOT_ENV. Default: development." };
        var configDir = new Option<string?>("--config-dir") { Description = "Config folder. Default: beside the executable." };

        var issue = new Command("issue", "Issue a token and print it alone on standard output (signing key from JWT_SECRET_KEY, else the data dir's).")
        {
            role, ttl, subject, dataDir, environment, configDir,
        };
        issue.SetAction(parse => CliErrors.RunAsync(() =>
        {
            TimeSpan? lifetime = null;
            if (parse.GetValue(ttl) is { } text)
            {
                lifetime = TokenTtl.TryParse(text, out var parsed) ? parsed : throw new ArgumentException($"--ttl '{text}' must look like 90s, 30m, 24h or 7d", "ttl");
            }

            var settings = SecurityConfiguration.Load(
                CliEnvironment.ConfigDir(parse.GetValue(configDir)),
                CliEnvironment.EnvironmentName(parse.GetValue(environment)),
                CliEnvironment.Get);
            var folder = Path.GetFullPath(CliEnvironment.DataDir(parse.GetValue(dataDir)));
            // The same state the servers use: the data dir's, or Redis when REDIS_URL/REDIS_HOST is set.
            using var state = SecurityStateStores.Open(folder, settings, TimeProvider.System);
            using var tokens = new TokenService(state, settings.Authentication, TimeProvider.System);
            var issued = tokens.Issue(parse.GetValue(subject)!, parse.GetValue(role) ?? settings.Authorization.DefaultRole, lifetime);
            Console.WriteLine(issued.Token);
            return Task.FromResult(0);
        }));

        return new Command("token", "Manage API tokens.") { issue };
    }
}

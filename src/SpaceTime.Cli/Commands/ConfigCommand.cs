using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpaceTime.Manager;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Runtime.Whitelist;
using SpaceTime.Security.Configuration;

namespace SpaceTime.Cli.Commands;

/// <summary>
/// <c>spacetime config show</c>: the effective configuration, each value with its source, secrets redacted;
/// <c>spacetime config check</c>: validates a config dir and environment without starting anything (exit 0/1);
/// <c>spacetime config variables</c>: the table of environment variables.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var environment = new Option<string?>("--environment") { Description = "production, staging, development or test. Env: GODOT_ENV (or ENVIRONMENT)." };
        var configDir = new Option<string?>("--config-dir") { Description = "Config folder. Default: beside the executable. Env: SPACETIME_CONFIG_DIR." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var set = new Option<string[]>("--set") { Description = "Set a configuration key as serve and manage would: --set http_api.max_connections=50 (repeatable)." };
        var show = new Command("show", "Print the effective configuration with the source of each value (default, file:PATH, env:NAME, flag:--name); secrets are never printed.")
        {
            environment, configDir, json, set,
        };
        show.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var (env, dir, loaded) = Load(parse, environment, configDir, set, enforceSecrets: false);
            var values = Values(loaded, dir, parse.GetValue(environment) is not null);
            if (parse.GetValue(json))
            {
                var document = new JsonObject
                {
                    ["environment"] = env,
                    ["config_dir"] = dir,
                    ["files"] = new JsonArray([.. loaded.FilesRead.Select(f => (JsonNode)f)]),
                    ["values"] = new JsonArray([.. values.Select(v => (JsonNode)new JsonObject
                    {
                        ["key"] = v.Key,
                        ["value"] = JsonNode.Parse(v.Value),
                        ["source"] = v.Source.ToString(),
                    })]),
                    ["warnings"] = new JsonArray([.. loaded.Warnings.Select(w => (JsonNode)w)]),
                };
                Console.WriteLine(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"# environment {env}; config dir {dir}");
                var width = values.Max(v => v.Key.Length);
                var valueWidth = Math.Min(40, values.Max(v => v.Value.Length));
                foreach (var v in values)
                {
                    Console.WriteLine($"{v.Key.PadRight(width)}  {v.Value.PadRight(valueWidth)}  {v.Source}");
                }

                foreach (var warning in loaded.Warnings)
                {
                    Console.Error.WriteLine($"spacetime: warning: {warning}");
                }
            }

            return Task.FromResult(0);
        }));

        var skipSecrets = new Option<bool>("--skip-secrets") { Description = "Do not require the production secrets (JWT_SECRET_KEY...) in this environment: for CI, where they are not set." };
        var check = new Command("check", "Validate a config dir for an environment (files, environment variables, scene whitelist) without starting anything; exit 0 when valid, 1 with one line naming the file or variable and the key.")
        {
            environment, configDir, skipSecrets, set,
        };
        check.SetAction(parse => CliErrors.RunAsync(() =>
        {
            var (env, dir, loaded) = Load(parse, environment, configDir, set, enforceSecrets: !parse.GetValue(skipSecrets));
            var whitelist = new SceneWhitelist(Path.Combine(dir, "scene_whitelist.json"), env, loaded.Settings.SceneWhitelist);
            foreach (var warning in loaded.Warnings)
            {
                Console.Error.WriteLine($"spacetime: warning: {warning}");
            }

            Console.WriteLine($"configuration valid: environment {env}; {string.Join(", ", loaded.FilesRead.Select(Path.GetFileName))}; scene whitelist {whitelist.Summary}");
            return Task.FromResult(0);
        }));

        var variables = new Command("variables", "Print every environment variable SpaceTime reads or the documents name, the key it sets (or who reads it), as a Markdown table.");
        variables.SetAction(_ =>
        {
            Console.Write(EnvironmentVariableTable.ToMarkdown());
            return 0;
        });

        return new Command("config", "Show or check the configuration (config/<env>.json, security_<env>.json, performance_<env>.json, scene_whitelist.json, environment variables).")
        {
            show, check, variables,
        };
    }

    private static (string Environment, string ConfigDir, EffectiveConfiguration Loaded) Load(
        ParseResult parse, Option<string?> environment, Option<string?> configDir, Option<string[]> set, bool enforceSecrets)
    {
        var env = CliEnvironment.EnvironmentName(parse.GetValue(environment));
        var dir = Path.GetFullPath(CliEnvironment.ConfigDir(parse.GetValue(configDir)));
        return (env, dir, ConfigurationLoader.Load(dir, env, System.Environment.GetEnvironmentVariable, ConfigurationLoader.ParseFlags(parse.GetValue(set)), enforceSecrets));
    }

    /// <summary>The loader's values, with the runtime's and manager's defaults filled in and the flag that chose the environment.</summary>
    private static List<ConfigurationValue> Values(EffectiveConfiguration loaded, string configDir, bool environmentFlag)
    {
        var runtime = new RuntimeOptions { ConfigDir = configDir, ProjectPath = BundledProject.Path };
        var manager = new ManagerOptions();
        return [.. loaded.Values.Select(v => v switch
        {
            { Key: "environment" } when environmentFlag => v with { Source = ConfigurationSource.Flag("--environment") },
            { Source.Kind: "default" } when v.Key.StartsWith("runtime.", StringComparison.Ordinal) => v with { Value = Default(runtime, RuntimeHostingExtensions.OptionsKey(v.Key)!) },
            { Source.Kind: "default" } when v.Key.StartsWith("manager.", StringComparison.Ordinal) => v with { Value = Default(manager, RuntimeHostingExtensions.OptionsKey("runtime." + v.Key["manager.".Length..])!) },
            _ => v,
        }).OrderBy(v => v.Key, StringComparer.Ordinal)];
    }

    private static string Default(object options, string property) =>
        JsonSerializer.Serialize(options.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(options));
}

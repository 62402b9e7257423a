using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Health;
using SpaceTime.Runtime.Http;
using SpaceTime.Runtime.Input;
using SpaceTime.Runtime.Performance;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Runtime.State;
using SpaceTime.Runtime.Status;

namespace SpaceTime.Runtime.Hosting;

/// <summary>Registers and maps the game runtime: <c>builder.AddSpaceTimeRuntime(); app.MapSpaceTimeRuntime();</c></summary>
public static class RuntimeHostingExtensions
{
    /// <summary>Environment variables the operations documents name, and the settings they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>
    {
        ["HTTP_API_HOST"] = "Host",
        ["HTTP_API_PORT"] = "HttpPort",
        ["GODOT_ENV"] = "Environment",
        ["GODOT_PROJECT_PATH"] = "ProjectPath",
        ["SPACETIME_DATA_DIR"] = "DataDir",
    };

    /// <param name="builder">The host builder.</param>
    /// <param name="overrides">Settings that win over configuration files and environment variables (command-line options).</param>
    public static WebApplicationBuilder AddSpaceTimeRuntime(this WebApplicationBuilder builder, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var mapped = EnvironmentVariables
            .Select(p => (Key: $"{RuntimeOptions.SectionName}:{p.Value}", Value: Environment.GetEnvironmentVariable(p.Key)))
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .ToDictionary(p => p.Key, p => p.Value);
        builder.Configuration.AddInMemoryCollection(mapped);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides.Select(p => KeyValuePair.Create($"{RuntimeOptions.SectionName}:{p.Key}", p.Value)));
        }

        var services = builder.Services;
        services.AddOptions<RuntimeOptions>()
            .BindConfiguration(RuntimeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RuntimeClock>();
        services.TryAddSingleton(sp => HeadlessGame.Open(sp.GetRequiredService<IOptions<RuntimeOptions>>().Value.ProjectPath, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SceneHistoryStore>();
        services.AddHostedService<GameService>();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblems.AddLegacyFields);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        services.AddOpenApi();
        // Binding failures (bad JSON, wrong types) throw, so the problem response can say what was wrong.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        var host = builder.Configuration[$"{RuntimeOptions.SectionName}:Host"] ?? "127.0.0.1";
        var port = builder.Configuration.GetValue($"{RuntimeOptions.SectionName}:HttpPort", RuntimeOptions.DefaultHttpPort);
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (host == "localhost")
            {
                k.ListenLocalhost(port);
            }
            else
            {
                k.Listen(IPAddress.TryParse(host, out var address) ? address : throw new OptionsValidationException(
                    RuntimeOptions.SectionName, typeof(RuntimeOptions), [$"{RuntimeOptions.SectionName}:Host '{host}' is not an IP address or 'localhost'"]), port);
            }
        });
        return builder;
    }

    public static WebApplication MapSpaceTimeRuntime(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // A client's bad request is answered with a 400, not logged as a server error.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapStatusApi();
        app.MapScenesApi();
        app.MapStateApi();
        app.MapInputApi();
        app.MapPerformanceApi();
        return app;
    }
}

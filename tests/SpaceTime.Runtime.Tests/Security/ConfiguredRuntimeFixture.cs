using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>
/// The runtime in a chosen environment on a private, edited copy of <c>config/</c>, with extra settings
/// (environment variables as configuration keys). Optionally on a <see cref="FakeTimeProvider"/>.
/// </summary>
public abstract class ConfiguredRuntimeFixture : RuntimeApiFixture
{
    /// <summary>A strong, non-placeholder HS256 secret for production fixtures.</summary>
    public const string StrongSecret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly string _environment;
    private readonly IReadOnlyDictionary<string, string> _settings;

    protected ConfiguredRuntimeFixture(
        string environment,
        Action<ConfigFolder>? editConfig = null,
        IReadOnlyDictionary<string, string>? settings = null,
        string scene = "",
        FakeTimeProvider? clock = null)
        : base(CopyDemoProject(), NewTempFolder("data"), scene, ownsFolders: true)
    {
        _environment = environment;
        _settings = settings ?? new Dictionary<string, string>();
        Clock = clock;
        Config = ConfigFolder.CopyOfShipped();
        editConfig?.Invoke(Config);
    }

    public ConfigFolder Config { get; }

    /// <summary>The fake clock the runtime runs on, or null for real time.</summary>
    public FakeTimeProvider? Clock { get; }

    public string AuditFile => Path.Combine(DataDir, "audit", "audit.log");

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>(_settings)
    {
        ["SpaceTime:ConfigDir"] = Config.Path,
        ["SpaceTime:Environment"] = _environment,
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (Clock is { } clock)
        {
            // Runs after the runtime's TryAddSingleton(TimeProvider.System), so this registration wins.
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Config.Dispose();
        GC.SuppressFinalize(this);
    }
}

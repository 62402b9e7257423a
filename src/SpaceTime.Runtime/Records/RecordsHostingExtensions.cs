using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.Storage;

namespace SpaceTime.Runtime.Records;

/// <summary>Where scene history and the audit trail go: the data dir (default) or PostgreSQL.</summary>
public static class RecordsHostingExtensions
{
    /// <summary>
    /// With <c>DATABASE_URL</c> or <c>DB_HOST</c> set: PostgreSQL through a durable outbox in <paramref name="dataDir"/>.
    /// Otherwise nothing here: the game registers the SQLite history itself.
    /// </summary>
    public static IHostApplicationBuilder AddSpaceTimeRecords(this IHostApplicationBuilder builder, string dataDir)
    {
        var configuration = builder.Configuration;
        var settings = DatabaseSettings.From(name => configuration[name]);
        var services = builder.Services;
        services.TryAddSingleton(new DatabaseHealth { Display = settings?.Display });
        if (settings is null)
        {
            return builder;
        }

        services.TryAddSingleton(settings);
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(settings.ConnectionString));
        services.TryAddSingleton(sp => new RecordOutbox(dataDir, sp.GetRequiredService<StorageHealth>()));
        services.TryAddSingleton<ISceneHistory, PostgresSceneHistory>();
        services.TryAddSingleton<OutboxDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDelivery>());
        return builder;
    }
}

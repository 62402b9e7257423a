using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using SpaceTime.Security.Storage;

namespace SpaceTime.Records;

/// <summary>Where scene history and the audit trail go: the data dir (default) or PostgreSQL.</summary>
public static class RecordsHostingExtensions
{
    /// <summary>
    /// With <c>DATABASE_URL</c> or <c>DB_HOST</c> set: PostgreSQL through a durable outbox in <paramref name="dataDir"/>,
    /// carrying the audit trail (and whatever other <see cref="IRecordKind"/>s the host registers); returns the
    /// database, or null when none is configured (records stay in the data dir).
    /// </summary>
    public static DatabaseSettings? AddSpaceTimeRecords(this IHostApplicationBuilder builder, string dataDir)
    {
        var configuration = builder.Configuration;
        var settings = DatabaseSettings.From(name => configuration[name]);
        var services = builder.Services;
        services.TryAddSingleton(new DatabaseHealth { Display = settings?.Display });
        if (settings is null)
        {
            return null;
        }

        services.TryAddSingleton(settings);
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(settings.ConnectionString));
        services.TryAddSingleton(sp => new RecordOutbox(dataDir, sp.GetRequiredService<StorageHealth>()));
        services.TryAddSingleton<AuditRecords>();
        services.AddSingleton<IRecordKind>(sp => sp.GetRequiredService<AuditRecords>());
        services.TryAddSingleton<OutboxDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDelivery>());
        return settings;
    }
}

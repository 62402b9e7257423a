using Npgsql;

namespace SpaceTime.Records;

/// <summary>One kind of record the outbox carries to PostgreSQL: its name in the outbox and the insert that stores it.</summary>
public interface IRecordKind
{
    /// <summary>The record's name in the outbox's <c>kind</c> column.</summary>
    string Kind { get; }

    /// <summary>
    /// The insert for one record; <paramref name="origin"/> and the item's sequence number make it idempotent
    /// (<c>ON CONFLICT (origin, origin_seq) DO NOTHING</c>).
    /// </summary>
    NpgsqlCommand Insert(OutboxItem item, string origin);
}

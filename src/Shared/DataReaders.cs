using System.Data.Common;

namespace Flux.Devices.Storage.Internal;

/// <summary>Reads every row of a provider's data reader into a list.</summary>
internal static class DataReaders
{
    /// <summary>Reads the rows left in <paramref name="reader"/>, each with <paramref name="read"/>, and disposes the reader.</summary>
    public static async Task<List<T>> ReadAllAsync<TReader, T>(TReader reader, Func<TReader, T> read, CancellationToken cancellationToken)
        where TReader : DbDataReader
    {
        await using var readerScope = reader.ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

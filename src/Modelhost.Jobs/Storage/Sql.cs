using System.Data.Common;

namespace Modelhost.Jobs.Storage;

/// <summary>Small helpers for building commands and reading nullable columns the same way on both engines.</summary>
internal static class Sql
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string text, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Parameters for <c>IN (...)</c>: their names joined with commas, and the name-value pairs.</summary>
    public static (string List, (string Name, object? Value)[] Parameters) In(string prefix, IReadOnlyList<long> values)
    {
        var parameters = new (string, object?)[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            parameters[i] = (string.Create(System.Globalization.CultureInfo.InvariantCulture, $"@{prefix}{i}"), values[i]);
        }

        return (string.Join(", ", parameters.Select(p => p.Item1)), parameters);
    }

    public static long? NullableInt64(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? Time(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}

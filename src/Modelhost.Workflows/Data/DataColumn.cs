namespace Modelhost.Workflows.Data;

/// <summary>A column of a table that <see cref="DataConnection"/> writes.</summary>
/// <param name="Name">The column's name; it must pass <see cref="DataSql.IsValidIdentifier"/>.</param>
/// <param name="Type">What it holds.</param>
public sealed record DataColumn(string Name, DataColumnType Type);

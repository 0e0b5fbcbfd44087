namespace Modelhost.Core.Tests.Batching;

/// <summary>What the executor saw of one batch: its position among batches, requests in order, and rows.</summary>
internal sealed record RecordedBatch(int Index, string[] Requests, int[] RowCounts, int Rows);

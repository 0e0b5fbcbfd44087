namespace Modelhost.Jobs.Storage;

/// <summary>The answer to a heartbeat: whether the worker still holds the job, and whether a cancel was asked for.</summary>
internal readonly record struct LeaseRenewal(bool Held, bool CancelRequested);

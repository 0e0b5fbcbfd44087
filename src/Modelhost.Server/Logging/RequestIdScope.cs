namespace Modelhost.Server.Logging;

/// <summary>
/// The logging scope of one request under <c>--log-format json</c>: its id, the one sent back in
/// <c>X-Request-Id</c>, which <see cref="JsonLineFormatter"/> writes on every line logged while the request runs.
/// </summary>
/// <param name="RequestId">The request's id (Kestrel's <c>TraceIdentifier</c>).</param>
internal sealed record RequestIdScope(string RequestId)
{
    public override string ToString() => "RequestId:" + RequestId;
}

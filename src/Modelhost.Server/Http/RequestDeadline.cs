namespace Modelhost.Server.Http;

/// <summary>
/// One request's timeout: a token that fires when the timeout passes or the client goes away, whichever comes first.
/// Instances are reused from request to request (the timer and the token source are made once), so arming one allocates
/// nothing; one that has fired is never reused.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int TimedOutState = 2;
    private const int AbortedState = 3;

    private readonly CancellationTokenSource _source = new();
    private readonly ITimer _timer;
    private CancellationTokenRegistration _aborted;
    private int _state;

    public RequestDeadline(TimeProvider time)
    {
        // The timer outlives the request that made it: it must not keep (or run under) that request's execution context.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static state => ((RequestDeadline)state!).Fire(TimedOutState), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The token to hand the request in place of the connection's.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the token fired because the timeout passed (not because the client went away).</summary>
    public bool TimedOut => Volatile.Read(ref _state) == TimedOutState;

    /// <summary>Starts the clock; <paramref name="aborted"/> (the connection's token) also fires <see cref="Token"/>.</summary>
    public void Arm(CancellationToken aborted, TimeSpan timeout)
    {
        Volatile.Write(ref _state, Armed);
        _aborted = aborted.UnsafeRegister(static state => ((RequestDeadline)state!).Fire(AbortedState), this);
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the clock after the request; true when the instance may serve another request.</summary>
    public bool TryDisarm()
    {
        _aborted.Dispose();
        if (Interlocked.CompareExchange(ref _state, Idle, Armed) != Armed)
        {
            // Fired: the token stays cancelled for whoever still holds it, and the instance is dropped.
            _timer.Dispose();
            return false;
        }

        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_source.TryReset())
        {
            return true;
        }

        _timer.Dispose();
        return false;
    }

    /// <summary>Frees a disarmed instance that is not kept for reuse.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _source.Dispose();
    }

    private void Fire(int reason)
    {
        // Only an armed deadline fires: once disarmed, a late timer tick or abort must not cancel the next request's token.
        if (Interlocked.CompareExchange(ref _state, reason, Armed) == Armed)
        {
            _source.Cancel();
        }
    }
}

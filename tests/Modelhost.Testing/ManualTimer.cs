namespace Modelhost.Testing;

/// <summary>A timer of <see cref="ManualTimeProvider"/>; its times are in the provider's ticks, guarded by its lock.</summary>
public sealed class ManualTimer : ITimer
{
    private readonly ManualTimeProvider _owner;
    private readonly TimerCallback _callback;
    private readonly object? _state;

    public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
    {
        _owner = owner;
        _callback = callback;
        _state = state;
    }

    public long DueTicks { get; set; } = long.MaxValue;

    public long PeriodTicks { get; set; }

    public bool Change(TimeSpan dueTime, TimeSpan period) => _owner.Change(this, dueTime, period);

    public void Fire() => _callback(_state);

    public void Dispose() => _owner.Remove(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

namespace Modelhost.Testing;

/// <summary>
/// A clock that only moves when the test calls <see cref="Advance"/>. Timers due on the way fire in due order on the
/// advancing thread, each seeing the clock at its due time, so timing tests never sleep and never race the machine's load.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly DateTimeOffset _origin = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow() => _origin.AddTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How many timers are armed, so a test can check that an idle component waits for nothing.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                var armed = 0;
                foreach (var timer in _timers)
                {
                    if (timer.DueTicks != long.MaxValue)
                    {
                        armed++;
                    }
                }

                return armed;
            }
        }
    }

    /// <summary>Whether some timer is armed to fire exactly at <paramref name="when"/>.</summary>
    public bool HasTimerDueAt(DateTimeOffset when)
    {
        var ticks = (when - _origin).Ticks;
        lock (_lock)
        {
            return _timers.Any(t => t.DueTicks == ticks);
        }
    }

    /// <summary>Moves the clock without firing timers, like a process that was frozen; the next <see cref="Advance"/> fires what fell due.</summary>
    public void Jump(TimeSpan by)
    {
        lock (_lock)
        {
            _ticks += by.Ticks;
        }
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_lock)
        {
            target = _ticks + by.Ticks;
        }

        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueTicks <= target && (due is null || timer.DueTicks < due.DueTicks))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _ticks = target;
                    return;
                }

                _ticks = Math.Max(_ticks, due.DueTicks);
                due.DueTicks = due.PeriodTicks > 0 ? _ticks + due.PeriodTicks : long.MaxValue;
            }

            due.Fire();
        }
    }

    internal bool Change(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_lock)
        {
            if (!_timers.Contains(timer))
            {
                return false;
            }

            // A zero due time fires at the next Advance, even Advance(TimeSpan.Zero), rather than inline, so a caller
            // holding a lock while re-arming is never re-entered.
            timer.DueTicks = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : _ticks + Math.Max(0, dueTime.Ticks);
            timer.PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            return true;
        }
    }

    internal void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }
}

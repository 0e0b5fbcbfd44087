using System.Globalization;

namespace Modelhost.Learning.Forecasting;

/// <summary>
/// The step between consecutive observations of a series, inferred from its timestamps; it gives the seasonal period
/// and the timestamps of forecasts.
/// </summary>
public readonly record struct TimeSpacing
{
    private TimeSpacing(TimeSpacingKind kind, TimeSpan interval, int count)
    {
        Kind = kind;
        Interval = interval;
        Count = count;
    }

    /// <summary>Whether the step is a duration, a number of weekdays or a number of months.</summary>
    public TimeSpacingKind Kind { get; }

    /// <summary>The duration of one step, for <see cref="TimeSpacingKind.Fixed"/>.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many weekdays or months one step is, for the other kinds.</summary>
    public int Count { get; }

    /// <summary>One hour.</summary>
    public static TimeSpacing Hourly => Fixed(TimeSpan.FromHours(1));

    /// <summary>One day.</summary>
    public static TimeSpacing Daily => Fixed(TimeSpan.FromDays(1));

    /// <summary>One weekday.</summary>
    public static TimeSpacing BusinessDaily => BusinessDays(1);

    /// <summary>Seven days.</summary>
    public static TimeSpacing Weekly => Fixed(TimeSpan.FromDays(7));

    /// <summary>One month.</summary>
    public static TimeSpacing Monthly => Months(1);

    /// <summary>Three months.</summary>
    public static TimeSpacing Quarterly => Months(3);

    /// <summary>Twelve months.</summary>
    public static TimeSpacing Yearly => Months(12);

    /// <summary>A fixed positive duration.</summary>
    public static TimeSpacing Fixed(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new TimeSpacing(TimeSpacingKind.Fixed, interval, 0);
    }

    /// <summary>A number of weekdays.</summary>
    public static TimeSpacing BusinessDays(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new TimeSpacing(TimeSpacingKind.BusinessDays, TimeSpan.Zero, count);
    }

    /// <summary>A number of calendar months.</summary>
    public static TimeSpacing Months(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new TimeSpacing(TimeSpacingKind.Months, TimeSpan.Zero, count);
    }

    /// <summary>
    /// The seasonal period this spacing suggests: hourly 24 (and other even divisions of a day: steps per day), daily 7,
    /// business-daily 5 (a trading week), weekly 52, monthly 12, quarterly 4, yearly 1; anything else 1.
    /// </summary>
    public int SeasonalPeriod
    {
        get
        {
            switch (Kind)
            {
                case TimeSpacingKind.BusinessDays:
                    return Count == 1 ? 5 : 1;
                case TimeSpacingKind.Months:
                    return 12 % Count == 0 ? 12 / Count : 1;
                default:
                    var day = TimeSpan.TicksPerDay;
                    var ticks = Interval.Ticks;
                    if (ticks == day)
                    {
                        return 7;
                    }

                    if (ticks == 7 * day)
                    {
                        return 52;
                    }

                    return ticks < day && day % ticks == 0 ? (int)(day / ticks) : 1;
            }
        }
    }

    /// <summary>The timestamp <paramref name="steps"/> steps after <paramref name="start"/>.</summary>
    public DateTime Advance(DateTime start, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        switch (Kind)
        {
            case TimeSpacingKind.Months:
                var months = checked(steps * Count);
                var lastDay = DateTime.DaysInMonth(start.Year, start.Month);
                var moved = start.AddMonths(months);
                // Month-end series stay at month ends (Jan 31 → Feb 28 → Mar 31), which AddMonths alone would not do.
                return start.Day == lastDay
                    ? moved.AddDays(DateTime.DaysInMonth(moved.Year, moved.Month) - moved.Day)
                    : moved;
            case TimeSpacingKind.BusinessDays:
                var remaining = checked(steps * Count);
                var current = start;
                while (remaining > 0)
                {
                    current = current.AddDays(1);
                    if (!IsWeekend(current))
                    {
                        remaining--;
                    }
                }

                return current;
            default:
                return start + (Interval * steps);
        }
    }

    /// <summary>A short name: hourly, daily, business-daily, weekly, monthly, quarterly, yearly, or the step itself.</summary>
    public override string ToString() => Kind switch
    {
        TimeSpacingKind.Months => Count switch
        {
            1 => "monthly",
            3 => "quarterly",
            12 => "yearly",
            _ => string.Create(CultureInfo.InvariantCulture, $"every {Count} months"),
        },
        TimeSpacingKind.BusinessDays => Count == 1 ? "business-daily" : string.Create(CultureInfo.InvariantCulture, $"every {Count} business days"),
        _ => Interval == TimeSpan.FromHours(1) ? "hourly"
            : Interval == TimeSpan.FromDays(1) ? "daily"
            : Interval == TimeSpan.FromDays(7) ? "weekly"
            : string.Create(CultureInfo.InvariantCulture, $"every {Interval:c}"),
    };

    /// <summary>
    /// Infers the spacing of strictly increasing timestamps from their most common step. Steps of 28 days or more are
    /// read as calendar months (so 28–31-day gaps are all "monthly"); a most common step of one day with no Saturday or
    /// Sunday over more than a week is business-daily, and holidays (longer gaps) do not change that.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two timestamps, or not strictly increasing.</exception>
    public static TimeSpacing Detect(IReadOnlyList<DateTime> timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        if (timestamps.Count < 2)
        {
            throw new ArgumentException($"Inferring the spacing of a series needs at least two timestamps; got {timestamps.Count}.", nameof(timestamps));
        }

        var steps = new Dictionary<long, int>();
        var monthSteps = new Dictionary<int, int>();
        var weekend = false;
        for (var i = 0; i < timestamps.Count; i++)
        {
            var t = timestamps[i];
            weekend |= IsWeekend(t);
            if (i == 0)
            {
                continue;
            }

            var previous = timestamps[i - 1];
            if (t <= previous)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Timestamps must be strictly increasing: position {i} ({t:O}) is not after position {i - 1} ({previous:O})."),
                    nameof(timestamps));
            }

            var ticks = (t - previous).Ticks;
            steps[ticks] = steps.GetValueOrDefault(ticks) + 1;
            var months = ((t.Year - previous.Year) * 12) + t.Month - previous.Month;
            monthSteps[months] = monthSteps.GetValueOrDefault(months) + 1;
        }

        var step = MostCommon(steps);
        if (step >= 28 * TimeSpan.TicksPerDay)
        {
            var months = MostCommon(monthSteps);
            if (months >= 1)
            {
                return Months(months);
            }
        }

        var span = timestamps[^1] - timestamps[0];
        if (step == TimeSpan.TicksPerDay && !weekend && span >= TimeSpan.FromDays(7))
        {
            return BusinessDaily;
        }

        return Fixed(TimeSpan.FromTicks(step));
    }

    private static bool IsWeekend(DateTime t) => t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>The most frequent key; ties go to the smaller key so the result does not depend on dictionary order.</summary>
    private static TKey MostCommon<TKey>(Dictionary<TKey, int> counts)
        where TKey : notnull, IComparable<TKey>
    {
        var first = true;
        TKey best = default!;
        var bestCount = 0;
        foreach (var (key, count) in counts)
        {
            if (first || count > bestCount || (count == bestCount && key.CompareTo(best) < 0))
            {
                best = key;
                bestCount = count;
                first = false;
            }
        }

        return best;
    }
}

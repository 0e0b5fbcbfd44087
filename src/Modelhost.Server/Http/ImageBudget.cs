using System.Globalization;
using Microsoft.AspNetCore.Http;
using Modelhost.Server.Configuration;

namespace Modelhost.Server.Http;

/// <summary>
/// Bounds the memory of image requests: at most <c>limits.max_concurrent_decodes</c> decodes run at once, and the
/// decoded pixels of the images being processed at once stay within <c>limits.image_memory_bytes</c> (each image's
/// share is known from its header before decoding). A request that does not fit waits, first come first served,
/// for up to <c>limits.image_wait_seconds</c>, then gets 503 with <c>Retry-After</c>; an image larger than the whole
/// budget gets 413.
/// </summary>
internal sealed class ImageBudget
{
    /// <summary>
    /// Bytes charged per decoded pixel: SkiaSharp decodes into 8-bit RGBA (4 bytes) and the RGB copy the preprocessing
    /// reads (3 bytes) is alive at the same time; measured peak, not a guess.
    /// </summary>
    public const int BytesPerPixel = 7;

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly SemaphoreSlim _decodes;
    private readonly TimeProvider _time;
    private long _inUse;

    public ImageBudget(LimitsOptions limits, TimeProvider time)
    {
        Capacity = limits.ImageMemoryBytes;
        MaxConcurrentDecodes = limits.MaxConcurrentDecodes ?? Environment.ProcessorCount;
        Wait = limits.ImageWait;
        _decodes = new SemaphoreSlim(MaxConcurrentDecodes, MaxConcurrentDecodes);
        _time = time;
    }

    /// <summary>The budget in bytes of decoded pixels.</summary>
    public long Capacity { get; }

    public int MaxConcurrentDecodes { get; }

    /// <summary>How long a request waits for room before it is answered 503.</summary>
    public TimeSpan Wait { get; }

    /// <summary>The bytes reserved now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>Reserves an image's decoded size until the reservation is disposed.</summary>
    /// <exception cref="HttpError">413 when the image alone is over the budget; 503 when no room came in time.</exception>
    public async ValueTask<IDisposable> ReserveAsync(long bytes, int width, int height, CancellationToken cancellationToken)
    {
        if (bytes > Capacity)
        {
            throw new HttpError(StatusCodes.Status413PayloadTooLarge, string.Create(
                CultureInfo.InvariantCulture,
                $"the image is {width}x{height} pixels: decoding it takes {bytes} bytes, more than limits.image_memory_bytes ({Capacity}) allows for all images at once"));
        }

        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inUse + bytes <= Capacity)
            {
                _inUse += bytes;
                return new Reservation(this, bytes);
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        using var timeout = new CancellationTokenSource(Wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await waiter.Granted.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            return new Reservation(this, bytes);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Granted.Task.IsCompletedSuccessfully)
                {
                    // Granted just as the wait ended: the bytes are ours, so hand them on.
                    _inUse -= bytes;
                }
                else
                {
                    _waiters.Remove(waiter.Node!);
                }

                GrantLocked();
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw Busy("limits.image_memory_bytes", string.Create(CultureInfo.InvariantCulture, $"the images being processed fill limits.image_memory_bytes ({Capacity} bytes of decoded pixels)"));
        }
    }

    /// <summary>Takes one of the decode slots until the result is disposed.</summary>
    /// <exception cref="HttpError">503 when no slot came free in time.</exception>
    public async ValueTask<IDisposable> DecodeSlotAsync(CancellationToken cancellationToken)
    {
        if (!await _decodes.WaitAsync(Wait, cancellationToken).ConfigureAwait(false))
        {
            throw Busy("limits.max_concurrent_decodes", string.Create(CultureInfo.InvariantCulture, $"{MaxConcurrentDecodes} images are being decoded (limits.max_concurrent_decodes)"));
        }

        return new DecodeSlot(_decodes);
    }

    private HttpError Busy(string key, string what) => new(
        StatusCodes.Status503ServiceUnavailable,
        string.Create(CultureInfo.InvariantCulture, $"{what} and none came free within {Wait.TotalSeconds} s; send it again later ({key})"),
        RetryAfter);

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _inUse -= bytes;
            GrantLocked();
        }
    }

    /// <summary>Grants waiters in order while the first one fits, so a large image is not passed over forever.</summary>
    private void GrantLocked()
    {
        while (_waiters.First is { } first && _inUse + first.Value.Bytes <= Capacity)
        {
            _waiters.RemoveFirst();
            _inUse += first.Value.Bytes;
            first.Value.Granted.TrySetResult();
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    private sealed class Reservation(ImageBudget budget, long bytes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                budget.Release(bytes);
            }
        }
    }

    private sealed class DecodeSlot(SemaphoreSlim decodes) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                decodes.Release();
            }
        }
    }
}

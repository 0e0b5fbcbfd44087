using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Modelhost.Workflows.Data;

/// <summary>
/// Interrupts the statement running on a SQLite connection when its time limit passes or the caller's token fires:
/// SQLite runs a statement on the calling thread, so only <c>sqlite3_interrupt</c> from another thread stops it.
/// </summary>
/// <remarks>
/// <c>sqlite3_interrupt</c> is lost when it comes before the statement starts (a cancel that lands between opening the
/// connection and the first step), so a progress handler also checks the token and the deadline every
/// <see cref="ProgressInstructions"/> virtual machine instructions; returning non-zero from it interrupts the statement
/// the same way.
/// </remarks>
internal sealed class SqliteInterrupter : IAsyncDisposable
{
    /// <summary>How many SQLite VM instructions run between two checks: microseconds of work.</summary>
    private const int ProgressInstructions = 10_000;

    private static readonly delegate_progress s_progress = Progress;

    private readonly SqliteConnection _connection;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _onDeadline;
    private readonly CancellationTokenRegistration _onCancel;

    public SqliteInterrupter(SqliteConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _connection = connection;
        _cancellationToken = cancellationToken;
        _deadline = new CancellationTokenSource(timeout);
        if (connection.Handle is { IsInvalid: false } handle)
        {
            raw.sqlite3_progress_handler(handle, ProgressInstructions, s_progress, this);
        }

        _onDeadline = _deadline.Token.UnsafeRegister(static state => ReadOnlySqlite.Interrupt((SqliteConnection)state!), connection);
        _onCancel = cancellationToken.UnsafeRegister(static state => ReadOnlySqlite.Interrupt((SqliteConnection)state!), connection);
    }

    /// <summary>Whether the time limit passed (so an interrupted statement ran out of time).</summary>
    public bool TimedOut => _deadline.IsCancellationRequested;

    /// <summary>Stops the timer; waits for a running callback, so the connection can be closed after.</summary>
    public async ValueTask DisposeAsync()
    {
        await _onDeadline.DisposeAsync().ConfigureAwait(false);
        await _onCancel.DisposeAsync().ConfigureAwait(false);
        if (_connection.Handle is { IsInvalid: false } handle)
        {
            raw.sqlite3_progress_handler(handle, 0, null, null);
        }

        _deadline.Dispose();
    }

    private static int Progress(object userData)
    {
        var interrupter = (SqliteInterrupter)userData;
        return interrupter._cancellationToken.IsCancellationRequested || interrupter._deadline.IsCancellationRequested ? 1 : 0;
    }
}

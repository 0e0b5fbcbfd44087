using Microsoft.Data.Sqlite;

namespace Modelhost.Jobs.Data;

/// <summary>
/// Interrupts the statement running on a SQLite connection when its time limit passes or the caller's token fires:
/// SQLite runs a statement on the calling thread, so only <c>sqlite3_interrupt</c> from another thread stops it.
/// </summary>
internal sealed class SqliteInterrupter : IAsyncDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _onDeadline;
    private readonly CancellationTokenRegistration _onCancel;

    public SqliteInterrupter(SqliteConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _deadline = new CancellationTokenSource(timeout);
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
        _deadline.Dispose();
    }
}

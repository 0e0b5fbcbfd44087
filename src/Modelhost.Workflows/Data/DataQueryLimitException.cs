namespace Modelhost.Workflows.Data;

/// <summary>A query went over one of its <see cref="DataQueryLimits"/> and was stopped.</summary>
internal sealed class DataQueryLimitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataQueryLimitException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public DataQueryLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public DataQueryLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Modelhost.Jobs.Workers;

/// <summary>Thrown by a handler when retrying cannot help (e.g. an invalid payload): the job ends dead, with this message as its error.</summary>
public sealed class PermanentJobFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentJobFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the exception that caused it.</summary>
    public PermanentJobFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

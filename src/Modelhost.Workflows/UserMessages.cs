namespace Modelhost.Workflows;

/// <summary>The text of an error as a job's error or a CLI's <c>error:</c> line shows it to a person.</summary>
public static class UserMessages
{
    /// <summary>
    /// <paramref name="exception"/>'s message without the <c>(Parameter 'y')</c> that <see cref="ArgumentException"/>
    /// appends: the learners check their data with argument exceptions, and the parameter's name means nothing to the
    /// person whose series or table it was.
    /// </summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        if (exception is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                return message[..^suffix.Length];
            }
        }

        return message;
    }
}

namespace Modelhost.Testing;

/// <summary>Runs a config reader over mutated texts: each must be read or refused with the reader's own exception.</summary>
public static class ConfigMutations
{
    /// <summary>
    /// Reads <paramref name="cases"/> texts from <paramref name="next"/> with <paramref name="read"/>. A text may be read,
    /// or refused with <typeparamref name="TRefusal"/> whose message starts with <paramref name="file"/> and holds no
    /// stack; anything else is a failure.
    /// </summary>
    /// <returns>How many texts were read, and the first failure (the case, the exception and the text), or null.</returns>
    public static (int Read, string? Failure) Run<TRefusal>(int cases, Func<string> next, Action<string> read, string file)
        where TRefusal : Exception
    {
        var accepted = 0;
        for (var i = 0; i < cases; i++)
        {
            var text = next();
            try
            {
                read(text);
                accepted++;
            }
            catch (TRefusal ex) when (ex.Message.StartsWith(file, StringComparison.Ordinal) && !ex.Message.Contains("   at ", StringComparison.Ordinal))
            {
            }
            catch (Exception ex)
            {
                return (accepted, $"case {i}: {ex.GetType().Name}: {ex.Message}\n{text}");
            }
        }

        return (accepted, null);
    }
}

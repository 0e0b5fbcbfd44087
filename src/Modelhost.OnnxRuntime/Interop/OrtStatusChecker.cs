using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Modelhost.OnnxRuntime;

/// <summary>The one place where an <c>OrtStatus*</c> is turned into an exception.</summary>
internal static unsafe class OrtStatusChecker
{
    /// <summary>Throws <see cref="OrtException"/> if <paramref name="status"/> reports an error, and releases it either way.</summary>
    /// <remarks>A null status means success and owns nothing, so the common path is a single compare.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfError(nint status)
    {
        if (status != 0)
        {
            Throw(status);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(nint status)
    {
        OrtErrorCode code;
        string message;

        // A non-null status is ours: ORT allocated it for this call and nobody else will free it.
        try
        {
            code = NativeMethods.GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)NativeMethods.GetErrorMessage(status)) ?? string.Empty;
        }
        finally
        {
            NativeMethods.ReleaseStatus(status);
        }

        throw new OrtException(code, message);
    }
}

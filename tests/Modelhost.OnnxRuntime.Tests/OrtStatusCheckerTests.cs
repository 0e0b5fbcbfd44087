namespace Modelhost.OnnxRuntime.Tests;

public sealed unsafe class OrtStatusCheckerTests
{
    [Fact]
    public void A_null_status_is_success()
    {
        OrtStatusChecker.ThrowIfError(0);
    }

    [Fact]
    public void An_error_status_becomes_OrtException_with_its_code_and_message()
    {
        nint status;
        fixed (byte* message = "graph is broken\0"u8)
        {
            status = NativeMethods.CreateStatus(OrtErrorCode.InvalidGraph, message);
        }

        OrtException e = Assert.Throws<OrtException>(() => OrtStatusChecker.ThrowIfError(status));

        Assert.Equal(OrtErrorCode.InvalidGraph, e.ErrorCode);
        Assert.Equal("graph is broken", e.Message);
    }

    [Fact]
    public void Many_error_statuses_in_a_row_are_each_released()
    {
        // The release cannot be observed directly; a leak or double free here would show as growth or a crash.
        for (int i = 0; i < 100_000; i++)
        {
            nint status;
            fixed (byte* message = "x\0"u8)
            {
                status = NativeMethods.CreateStatus(OrtErrorCode.Fail, message);
            }

            Assert.Throws<OrtException>(() => OrtStatusChecker.ThrowIfError(status));
        }
    }
}

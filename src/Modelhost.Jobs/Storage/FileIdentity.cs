using System.Runtime.InteropServices;

namespace Modelhost.Jobs.Storage;

/// <summary>
/// A file's identity: its device and inode on Linux (through <c>statx</c>, whose buffer layout is the same on every
/// architecture), so that a file deleted, or replaced by another one under the same name, is told apart from the file
/// that was opened. Elsewhere the identity is unknown (null) and only the store id in the database is compared.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int BufferSize = 256;
    private const int InodeOffset = 32;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;
    private const int Enoent = 2;
    private const int Enotdir = 20;

    private static bool _unsupported = !OperatingSystem.IsLinux();

    /// <summary>Whether identities can be read on this system.</summary>
    public static bool Supported => !_unsupported;

    /// <summary>The identity of the file at <paramref name="path"/>; <see cref="Missing"/> when nothing is there; null when unknown.</summary>
    public static FileIdentity? Of(string path)
    {
        if (_unsupported)
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[BufferSize];
        int result;
        try
        {
            unsafe
            {
                fixed (byte* p = buffer)
                {
                    result = Statx(AtFdCwd, path, 0, StatxIno, p);
                }
            }
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // A libc without statx (before glibc 2.28): no identities, the store id check remains.
            _unsupported = true;
            return null;
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Enoent or Enotdir ? Missing : null;
        }

        var inode = BitConverter.ToUInt64(buffer[InodeOffset..]);
        var device = ((ulong)BitConverter.ToUInt32(buffer[DevMajorOffset..]) << 32) | BitConverter.ToUInt32(buffer[DevMinorOffset..]);
        return new FileIdentity(device, inode);
    }

    /// <summary>Stands for "no file at this path".</summary>
    public static FileIdentity Missing { get; } = new(0, 0);

    public bool IsMissing => this == Missing;

    public override string ToString() => IsMissing ? "missing" : $"device {Device >> 32}:{Device & 0xFFFF_FFFF}, inode {Inode}";

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}

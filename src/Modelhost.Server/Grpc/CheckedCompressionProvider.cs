using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Modelhost.Server.Grpc;

/// <summary>
/// A message compression (gzip, as <c>grpc-encoding</c> names it) whose decompression answers bad data as the
/// client's error. Grpc.AspNetCore inflates a compressed message before any marshaller or interceptor sees it, and a
/// decompression stream that throws there is answered <c>UNKNOWN</c> with an Error-level stack trace in the log, once
/// per bad message; this one throws <c>INVALID_ARGUMENT</c> instead.
/// </summary>
internal sealed class CheckedCompressionProvider(ICompressionProvider inner) : ICompressionProvider
{
    public string EncodingName => inner.EncodingName;

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        inner.CreateCompressionStream(stream, compressionLevel);

    public Stream CreateDecompressionStream(Stream stream) =>
        new CheckedStream(inner.CreateDecompressionStream(stream), inner.EncodingName);

    private static RpcException Invalid(string encoding, Exception ex) =>
        new(new Status(StatusCode.InvalidArgument, $"the message is not valid {encoding} data, as its grpc-encoding says: {ex.Message}"));

    /// <summary>Reads through the decompression stream; its refusals (zlib's come as either exception) become the client's error.</summary>
    private sealed class CheckedStream(Stream inner, string encoding) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw Invalid(encoding, ex);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw Invalid(encoding, ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void CopyTo(Stream destination, int bufferSize)
        {
            try
            {
                inner.CopyTo(destination, bufferSize);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw Invalid(encoding, ex);
            }
        }

        public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
        {
            try
            {
                await inner.CopyToAsync(destination, bufferSize, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                throw Invalid(encoding, ex);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

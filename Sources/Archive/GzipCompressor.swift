import CZlib

/// A streaming gzip encoder owning one zlib deflate stream.
///
/// Output is deterministic: zlib writes a gzip header with mtime 0, no file name
/// and OS byte fixed at build time, so the same input and level give the same bytes.
public final class GzipCompressor {
    /// zlib keeps a pointer back to the z_stream, so it lives at a fixed heap address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let outputBuffer: UnsafeMutableRawBufferPointer
    private var finished = false

    /// `level` is 1 (fastest) to 9 (smallest).
    public init(level: Int) throws {
        guard (1...9).contains(level) else {
            throw ArchiveError(.compression, "gzip level \(level) is out of range; use 1 (fastest) to 9 (smallest)")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        outputBuffer = .allocate(byteCount: 256 << 10, alignment: 16)
        let code = swarmdeploy_deflateInit2(stream, Int32(level), Zlib.gzipWindowBits)
        guard code == Z_OK else {
            let error = Zlib.error("deflateInit2", code: code, stream: stream)
            stream.deallocate()
            outputBuffer.deallocate()
            throw error
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        outputBuffer.deallocate()
    }

    /// Total compressed bytes produced so far.
    public var bytesOut: Int64 { Int64(stream.pointee.total_out) }

    public func compress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else {
            throw ArchiveError(.compression, "compress called after finish; create a new GzipCompressor per stream")
        }
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = 0
        var offset = 0
        // avail_in is 32-bit; feed very large inputs in slices.
        while offset < input.count || stream.pointee.avail_in > 0 {
            if stream.pointee.avail_in == 0 {
                let slice = min(input.count - offset, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(slice)
                offset += slice
            }
            try run(flush: Z_NO_FLUSH, output: output)
        }
        stream.pointee.next_in = nil
    }

    /// Flushes the remaining compressed data and the gzip trailer (CRC-32, length).
    public func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { return }
        stream.pointee.avail_in = 0
        var code: Int32 = Z_OK
        while code != Z_STREAM_END {
            code = try run(flush: Z_FINISH, output: output)
        }
        finished = true
    }

    /// One deflate call into the output buffer, handing whatever it produced to `output`.
    @discardableResult
    private func run(flush: Int32, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int32 {
        stream.pointee.next_out = outputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outputBuffer.count)
        let code = deflate(stream, flush)
        guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
            throw Zlib.error("deflate", code: code, stream: stream)
        }
        let produced = outputBuffer.count - Int(stream.pointee.avail_out)
        if produced > 0 {
            try output(UnsafeRawBufferPointer(rebasing: outputBuffer[..<produced]))
        }
        return code
    }
}

import CZlib

/// A streaming gzip decoder owning one zlib inflate stream, with a hard cap on
/// the decompressed size so a small hostile input cannot expand without bound.
///
/// Concatenated gzip members (as `cat a.gz b.gz` makes) decode as one stream.
public final class GzipDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let outputBuffer: UnsafeMutableRawBufferPointer
    private let maxOutputBytes: Int64
    /// True between members: the previous one ended and no byte of the next has arrived.
    private var atMemberBoundary = false
    public private(set) var bytesIn: Int64 = 0
    public private(set) var bytesOut: Int64 = 0

    public init(maxOutputBytes: Int64) throws {
        self.maxOutputBytes = maxOutputBytes
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        outputBuffer = .allocate(byteCount: 256 << 10, alignment: 16)
        let code = swarmdeploy_inflateInit2(stream, Zlib.gzipWindowBits)
        guard code == Z_OK else {
            let error = Zlib.error("inflateInit2", code: code, stream: stream)
            stream.deallocate()
            outputBuffer.deallocate()
            throw error
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        outputBuffer.deallocate()
    }

    /// Decompresses `input`, calling `output` with decoded chunks as they appear.
    public func decompress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var offset = 0
        while offset < input.count {
            let slice = min(input.count - offset, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + offset).assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(slice)
            offset += slice
            while stream.pointee.avail_in > 0 {
                if atMemberBoundary {
                    guard inflateReset(stream) == Z_OK else { throw Zlib.error("inflateReset", code: Z_STREAM_ERROR, stream: stream) }
                    atMemberBoundary = false
                }
                let before = stream.pointee.avail_in
                let code = try run(output: output)
                bytesIn += Int64(before - stream.pointee.avail_in)
                if code == Z_STREAM_END {
                    atMemberBoundary = true
                }
            }
        }
        stream.pointee.next_in = nil
    }

    /// Drains buffered output and checks that the stream ended with a complete gzip member.
    public func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        while !atMemberBoundary {
            stream.pointee.avail_in = 0
            let before = bytesOut
            let code = try run(output: output)
            if code == Z_STREAM_END {
                atMemberBoundary = true
            } else if bytesOut == before {
                throw ArchiveError(
                    .malformedArchive, offset: nil,
                    "gzip stream is truncated after \(bytesIn) compressed bytes; the download or file is incomplete")
            }
        }
    }

    private func run(output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int32 {
        stream.pointee.next_out = outputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outputBuffer.count)
        let code = inflate(stream, Z_NO_FLUSH)
        switch code {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            break
        case Z_DATA_ERROR, Z_NEED_DICT:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
            throw ArchiveError(
                .malformedArchive, offset: nil,
                "gzip data is corrupt after \(bytesIn) compressed bytes (\(detail)); the file is damaged or not gzip")
        default:
            throw Zlib.error("inflate", code: code, stream: stream)
        }
        let produced = outputBuffer.count - Int(stream.pointee.avail_out)
        if produced > 0 {
            guard bytesOut + Int64(produced) <= maxOutputBytes else {
                throw ArchiveError(
                    .limitExceeded,
                    "gzip data expands beyond the limit of \(maxOutputBytes) bytes (possible decompression bomb); raise the limit only if the archive is trusted")
            }
            bytesOut += Int64(produced)
            try output(UnsafeRawBufferPointer(rebasing: outputBuffer[..<produced]))
        }
        return code
    }
}

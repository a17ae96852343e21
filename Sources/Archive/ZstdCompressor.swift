import CZstd

/// A streaming zstd encoder (RFC 8878) owning one compression context.
///
/// Output is deterministic for one libzstd version and level: one thread, no checksum
/// (the torrent's hashes cover the payload), no dictionary.
public final class ZstdCompressor {
    private let context: OpaquePointer
    private let outputBuffer: UnsafeMutableRawBufferPointer
    private var finished = false
    public private(set) var bytesOut: Int64 = 0

    /// The levels offered: 1 (fastest) to 19 (smallest); 20–22 need far more memory.
    public static let levels = 1...19

    public init(level: Int) throws {
        guard Self.levels.contains(level) else {
            throw ArchiveError(.compression, "zstd level \(level) is out of range; use 1 (fastest) to 19 (smallest)")
        }
        guard let context = ZSTD_createCCtx() else {
            throw ArchiveError(.compression, "cannot create a zstd compression context: out of memory")
        }
        self.context = context
        outputBuffer = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
        let code = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
        guard ZSTD_isError(code) == 0 else {
            let error = Zstd.error("setting the level", code: code)
            ZSTD_freeCCtx(context)
            outputBuffer.deallocate()
            throw error
        }
    }

    deinit {
        ZSTD_freeCCtx(context)
        outputBuffer.deallocate()
    }

    public func compress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else {
            throw ArchiveError(.compression, "compress called after finish; create a new ZstdCompressor per stream")
        }
        guard let base = input.baseAddress, input.count > 0 else { return }
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        while source.pos < source.size {
            _ = try run(&source, ZSTD_e_continue, output: output)
        }
    }

    /// Flushes the rest and ends the frame.
    public func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !finished else { return }
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try run(&source, ZSTD_e_end, output: output) != 0 {}
        finished = true
    }

    /// One compression call; returns what zstd says is left to flush.
    private func run(_ source: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var target = ZSTD_outBuffer(dst: outputBuffer.baseAddress, size: outputBuffer.count, pos: 0)
        let remaining = ZSTD_compressStream2(context, &target, &source, directive)
        guard ZSTD_isError(remaining) == 0 else { throw Zstd.error("compressing", code: remaining) }
        if target.pos > 0 {
            bytesOut += Int64(target.pos)
            try output(UnsafeRawBufferPointer(rebasing: outputBuffer[..<target.pos]))
        }
        return remaining
    }
}

/// A streaming zstd decoder with a hard cap on the decompressed size, so a small hostile
/// input cannot expand without bound. Concatenated frames (and skippable frames) decode as one
/// stream, as `zstd -d` reads them.
public final class ZstdDecompressor {
    private let context: OpaquePointer
    private let outputBuffer: UnsafeMutableRawBufferPointer
    private let maxOutputBytes: Int64
    /// What the last call said: 0 once a frame is complete and nothing is pending.
    private var pending = 0
    public private(set) var bytesIn: Int64 = 0
    public private(set) var bytesOut: Int64 = 0

    public init(maxOutputBytes: Int64) throws {
        guard let context = ZSTD_createDCtx() else {
            throw ArchiveError(.compression, "cannot create a zstd decompression context: out of memory")
        }
        self.context = context
        self.maxOutputBytes = maxOutputBytes
        outputBuffer = .allocate(byteCount: ZSTD_DStreamOutSize(), alignment: 16)
        // A frame may ask for a window of at most 128 MiB (2^27): enough for any level offered.
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 27)
    }

    deinit {
        ZSTD_freeDCtx(context)
        outputBuffer.deallocate()
    }

    public func decompress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        while source.pos < source.size {
            let before = source.pos
            try run(&source, output: output)
            bytesIn += Int64(source.pos - before)
        }
    }

    /// Drains what is buffered and checks that the last frame is complete.
    public func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while pending != 0 {
            let before = bytesOut
            try run(&source, output: output)
            if pending != 0 && bytesOut == before {
                throw ArchiveError(
                    .malformedArchive, offset: nil,
                    "zstd stream is truncated after \(bytesIn) compressed bytes; the download or file is incomplete")
            }
        }
    }

    private func run(_ source: inout ZSTD_inBuffer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var target = ZSTD_outBuffer(dst: outputBuffer.baseAddress, size: outputBuffer.count, pos: 0)
        let hint = ZSTD_decompressStream(context, &target, &source)
        guard ZSTD_isError(hint) == 0 else {
            throw ArchiveError(
                .malformedArchive, offset: nil,
                "zstd data is corrupt after \(bytesIn) compressed bytes (\(String(cString: ZSTD_getErrorName(hint)))); the file is damaged or not zstd")
        }
        pending = hint
        if target.pos > 0 {
            guard bytesOut + Int64(target.pos) <= maxOutputBytes else {
                throw ArchiveError(
                    .limitExceeded,
                    "zstd data expands beyond the limit of \(maxOutputBytes) bytes (possible decompression bomb); raise the limit only if the archive is trusted")
            }
            bytesOut += Int64(target.pos)
            try output(UnsafeRawBufferPointer(rebasing: outputBuffer[..<target.pos]))
        }
    }
}

/// Facts about the libzstd this build links against.
public enum Zstd {
    /// The runtime libzstd version, e.g. "1.5.4".
    public static var version: String { String(cString: ZSTD_versionString()) }

    static func error(_ operation: String, code: Int) -> ArchiveError {
        ArchiveError(.compression, "zstd \(operation) failed: \(String(cString: ZSTD_getErrorName(code)))")
    }
}

extension ZstdDecompressor: StreamDecompressor {}

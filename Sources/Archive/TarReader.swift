/// A streaming tar parser: feed it bytes in chunks of any size and it reports
/// entries and their data as `TarEvent`s.
///
/// It understands ustar, pax ('x' and 'g' headers) and GNU ('L'/'K' long names)
/// archives. Every header checksum is verified and every extension is size-capped
/// because the archive comes from the network.
struct TarReader {
    struct Limits {
        /// Cap on one entry's data size.
        var maxEntrySize: Int64
        /// Cap on the extension data (pax records, GNU long names) gathered before one entry.
        var maxExtensionBytes: Int = 1 << 20
    }

    enum ExtensionKind {
        case pax
        case paxGlobal
        case gnuLongName
        case gnuLongLink
    }

    enum State {
        /// Gathering a 512-byte header block; `zeroBlocks` counts end-of-archive blocks seen.
        case header(zeroBlocks: Int)
        /// Gathering the payload of an extension header.
        case extensionData(ExtensionKind, remaining: Int, padding: Int)
        /// Passing through an entry's data.
        case data(remaining: Int64, padding: Int)
        /// Skipping data that is not reported (padding, contents of directories).
        case skip(remaining: Int64)
        /// After the two zero blocks; any further bytes are ignored.
        case end
    }

    let limits: Limits
    private(set) var state: State = .header(zeroBlocks: 0)
    /// Stream offset of the next byte fed.
    private(set) var offset: Int64 = 0

    var headerBlock = [UInt8](repeating: 0, count: TarFormat.blockSize)
    var headerFilled = 0
    var headerOffset: Int64 = 0
    var extensionBuffer: [UInt8] = []
    /// Extension values waiting for the next real entry.
    var pending = PendingExtensions()
    var globalRecords: [String: String] = [:]
    var globalBytes = 0
    /// Path of the entry whose data is being read, for error messages.
    var currentPath: String?

    init(limits: Limits) {
        self.limits = limits
    }

    mutating func feed(_ input: UnsafeRawBufferPointer, _ handle: (TarEvent) throws -> Void) throws {
        var index = 0
        while index < input.count {
            let available = input.count - index
            switch state {
            case .header(let zeroBlocks):
                if headerFilled == 0 { headerOffset = offset }
                let count = min(TarFormat.blockSize - headerFilled, available)
                headerBlock.withUnsafeMutableBytes { block in
                    (block.baseAddress! + headerFilled).copyMemory(from: input.baseAddress! + index, byteCount: count)
                }
                consume(count, &index)
                if headerFilled + count == TarFormat.blockSize {
                    headerFilled = 0
                    try processHeader(zeroBlocks: zeroBlocks, handle)
                } else {
                    headerFilled += count
                }

            case .extensionData(let kind, let remaining, let padding):
                let count = min(remaining, available)
                extensionBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + count)]))
                consume(count, &index)
                if count == remaining {
                    try finishExtension(kind)
                    state = padding > 0 ? .skip(remaining: Int64(padding)) : .header(zeroBlocks: 0)
                } else {
                    state = .extensionData(kind, remaining: remaining - count, padding: padding)
                }

            case .data(let remaining, let padding):
                let count = Int(min(remaining, Int64(available)))
                try handle(.data(UnsafeRawBufferPointer(rebasing: input[index..<(index + count)])))
                consume(count, &index)
                if Int64(count) == remaining {
                    currentPath = nil
                    try handle(.entryEnd)
                    state = padding > 0 ? .skip(remaining: Int64(padding)) : .header(zeroBlocks: 0)
                } else {
                    state = .data(remaining: remaining - Int64(count), padding: padding)
                }

            case .skip(let remaining):
                let count = Int(min(remaining, Int64(available)))
                consume(count, &index)
                state = Int64(count) == remaining ? .header(zeroBlocks: 0) : .skip(remaining: remaining - Int64(count))

            case .end:
                // Blocking-factor padding after the end marker carries nothing.
                consume(available, &index)
            }
        }
    }

    /// Call at end of input: throws if the archive stopped before its end marker.
    func finish() throws {
        switch state {
        case .end:
            return
        case .header(let zeroBlocks):
            // GNU tar also accepts a lone zero block at the very end.
            if zeroBlocks == 1 && headerFilled == 0 { return }
            if headerFilled > 0 {
                throw ArchiveError.malformed(
                    "archive is truncated inside a header block; the file is incomplete", offset: headerOffset)
            }
            throw ArchiveError.malformed(
                "archive ends without the end-of-archive marker (two zero blocks); the file is incomplete",
                offset: offset)
        case .extensionData:
            throw ArchiveError.malformed(
                "archive is truncated inside an extended header; the file is incomplete", offset: offset)
        case .data(let remaining, _):
            throw ArchiveError.malformed(
                "archive is truncated: \(remaining) bytes of the entry's data are missing; the file is incomplete",
                path: currentPath, offset: offset)
        case .skip:
            throw ArchiveError.malformed(
                "archive is truncated inside block padding; the file is incomplete", offset: offset)
        }
    }

    private mutating func consume(_ count: Int, _ index: inout Int) {
        index += count
        offset += Int64(count)
    }

    mutating func enter(_ newState: State) {
        state = newState
    }
}

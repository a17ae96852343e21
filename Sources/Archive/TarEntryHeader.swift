/// One logical entry decoded by `TarReader`, with pax and GNU long-name
/// extensions already applied.
struct TarEntryHeader: Equatable {
    enum Kind: Equatable {
        case file
        case directory
        case symlink(target: String)
        case hardLink(target: String)
        /// Any other typeflag (devices, FIFOs, sparse files, ...): never extracted.
        case unsupported(typeflag: UInt8)
    }

    var path: String
    var kind: Kind
    var mode: UInt32
    var uid: Int64
    var gid: Int64
    var mtime: Int64
    /// Bytes of data following the header.
    var size: Int64
    /// Stream offset of the entry's (last) header block.
    var offset: Int64
}

/// What `TarReader.feed` reports, in stream order.
enum TarEvent {
    case entry(TarEntryHeader)
    /// Part of the current entry's data; only valid during the callback.
    case data(UnsafeRawBufferPointer)
    case entryEnd
    case endOfArchive
}

/// What a host needs to lay out a release's archive itself and build the parts of it that it
/// already holds (see `PieceReuse`): the manifest's entries and padded headers, and each
/// regular file's content digest. It does not say where the tree is; the reader names a root.
///
/// Encoded (then gzip-compressed): the line "swarmdeploy-index 2\n", the entry count, then per
/// entry its kind ("f", "d" or "l"), mode, uid, gid, mtime, size, padded header length (0:
/// natural), path, for a symlink its target, and for a file a byte saying whether its digest
/// follows (1) or not (0) and the digest. Numbers are LEB128 varints (mtime zig-zagged),
/// strings a varint length and UTF-8 bytes.
public struct ArchiveIndex: Sendable {
    public var manifest: ArchiveManifest
    /// The content digest of each regular file that has one, by entry index.
    public var digests: [Int: FileDigest]

    static let magic = Array("swarmdeploy-index 2\n".utf8)
    /// A decoded index larger than this is refused: a million entries with long names fit.
    static let largestIndex = 512 << 20

    public init(manifest: ArchiveManifest, digests: [Int: FileDigest] = [:]) {
        self.manifest = manifest
        self.digests = digests
    }

    /// The same index, its tree at `root`.
    public func rooted(at root: String) -> ArchiveIndex {
        ArchiveIndex(manifest: manifest.rooted(at: root), digests: digests)
    }

    /// The index, gzip-compressed.
    public func encoded() throws -> [UInt8] {
        var raw = Self.magic
        raw.appendVarint(UInt64(manifest.entries.count))
        for (index, entry) in manifest.entries.enumerated() {
            switch entry.kind {
            case .file: raw.append(UInt8(ascii: "f"))
            case .directory: raw.append(UInt8(ascii: "d"))
            case .symlink: raw.append(UInt8(ascii: "l"))
            }
            raw.appendVarint(UInt64(entry.mode))
            raw.appendVarint(UInt64(entry.uid))
            raw.appendVarint(UInt64(entry.gid))
            raw.appendVarint(UInt64(bitPattern: (entry.mtime << 1) ^ (entry.mtime >> 63)))
            raw.appendVarint(UInt64(entry.size))
            raw.appendVarint(UInt64(manifest.paddedHeaders[index] ?? 0))
            raw.appendString(entry.path)
            switch entry.kind {
            case .symlink(let target): raw.appendString(target)
            case .file:
                if let digest = digests[index] {
                    raw.append(1)
                    raw += digest.bytes
                } else {
                    raw.append(0)
                }
            case .directory: break
            }
        }
        let compressor = try GzipCompressor(level: 6)
        var encoded: [UInt8] = []
        try raw.withUnsafeBytes { try compressor.compress($0) { encoded += $0 } }
        try compressor.finish { encoded += $0 }
        return encoded
    }

    /// The index `encoded` describes, its tree at `root`. Anything malformed is an
    /// `ArchiveError` saying so; the entries are validated as any manifest's.
    public init(encoded: [UInt8], root: String) throws {
        let decompressor = try GzipDecompressor(maxOutputBytes: Int64(Self.largestIndex))
        var raw: [UInt8] = []
        try encoded.withUnsafeBytes { try decompressor.decompress($0) { raw += $0 } }
        try decompressor.finish { raw += $0 }
        var reader = IndexReader(bytes: raw)
        guard raw.starts(with: Self.magic) else { throw IndexReader.malformed("it does not start with its format line") }
        reader.position = Self.magic.count
        let count = try reader.varint()
        // Every entry takes at least nine bytes: a bound before reserving anything.
        guard count <= UInt64(raw.count / 9) else { throw IndexReader.malformed("it claims \(count) entries") }
        var entries: [ArchiveEntry] = []
        entries.reserveCapacity(Int(count))
        var padded: [Int: Int] = [:]
        var digests: [Int: FileDigest] = [:]
        for index in 0..<Int(count) {
            let kind = try reader.byte()
            let mode = try reader.varint(max: 0o7777)
            let uid = try reader.varint(max: UInt64(UInt32.max))
            let gid = try reader.varint(max: UInt64(UInt32.max))
            let zigzag = try reader.varint()
            let mtime = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            let size = try reader.varint(max: UInt64(TarFormat.largestEntrySize))
            let header = try reader.varint(max: UInt64(Int32.max))
            let path = try reader.string()
            let entryKind: ArchiveEntry.Kind
            switch kind {
            case UInt8(ascii: "f"):
                entryKind = .file
                switch try reader.byte() {
                case 0: break
                case 1: digests[index] = FileDigest(bytes: try reader.bytes(FileDigest.byteCount))
                default: throw IndexReader.malformed("entry \(index) has an unknown digest marker")
                }
            case UInt8(ascii: "d"): entryKind = .directory
            case UInt8(ascii: "l"): entryKind = .symlink(target: try reader.string())
            default: throw IndexReader.malformed("entry \(index) has an unknown kind")
            }
            entries.append(
                ArchiveEntry(
                    path: path, kind: entryKind, mode: UInt32(mode), mtime: mtime, uid: UInt32(uid), gid: UInt32(gid),
                    size: Int64(size)))
            if header > 0 { padded[index] = Int(header) }
        }
        guard reader.position == raw.count else { throw IndexReader.malformed("bytes follow its last entry") }
        self.init(manifest: try ArchiveManifest(root: root, entries: entries, paddedHeaders: padded), digests: digests)
    }
}

/// Reads the index's varints and strings, refusing anything past its end.
private struct IndexReader {
    let bytes: [UInt8]
    var position = 0

    static func malformed(_ why: String) -> ArchiveError {
        ArchiveError(.invalidEntry, "the archive index is malformed: \(why)")
    }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Self.malformed("it ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint(max: UInt64 = .max) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else { throw Self.malformed("a number is too long") }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { break }
            shift += 7
        }
        guard value <= max else { throw Self.malformed("a number is out of range (\(value))") }
        return value
    }

    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.count - position else { throw Self.malformed("it ends early") }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func string() throws -> String {
        let length = Int(try varint(max: 1 << 20))
        guard length <= bytes.count - position else { throw Self.malformed("it ends early") }
        defer { position += length }
        guard let text = String(validating: bytes[position..<(position + length)], as: UTF8.self) else {
            throw Self.malformed("a name is not valid UTF-8")
        }
        return text
    }
}

extension [UInt8] {
    fileprivate mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        append(UInt8(rest))
    }

    fileprivate mutating func appendString(_ text: String) {
        appendVarint(UInt64(text.utf8.count))
        append(contentsOf: text.utf8)
    }
}

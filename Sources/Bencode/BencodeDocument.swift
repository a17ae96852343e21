/// A decoded value together with the bytes it came from and where each
/// nested value lies in them.
///
/// The torrent info-hash is the SHA-1 of the `info` dictionary exactly as it
/// appears in the file, so it must be hashed from the original bytes rather
/// than from a re-encoding.
public struct BencodeDocument: Sendable {
    public let bytes: [UInt8]
    public let root: BencodeValue
    let rootSpan: BencodeSpan

    init(bytes: [UInt8], root: BencodeValue, rootSpan: BencodeSpan) {
        self.bytes = bytes
        self.root = root
        self.rootSpan = rootSpan
    }

    /// The byte range in `bytes` of the value reached by `path` (dictionary
    /// keys and list indices from the root); nil when the path leads nowhere.
    /// An empty path gives the whole root value.
    public func rawRange(at path: [BencodePathComponent]) -> Range<Int>? {
        var value = root
        var span = rootSpan
        for component in path {
            switch (component, value) {
            case (.key(let key), .dictionary(let dictionary)):
                guard let index = dictionary.index(ofKey: key) else { return nil }
                value = dictionary.entries[index].value
                span = span.children[index]
            case (.index(let index), .list(let list)):
                guard list.indices.contains(index) else { return nil }
                value = list[index]
                span = span.children[index]
            default:
                return nil
            }
        }
        return span.range
    }

    /// The original encoded bytes of the value reached by `path`.
    public func rawBytes(at path: [BencodePathComponent]) -> ArraySlice<UInt8>? {
        rawRange(at: path).map { bytes[$0] }
    }
}

/// One step into a bencoded value: a dictionary key or a list index.
public enum BencodePathComponent: Hashable, Sendable {
    case key([UInt8])
    case index(Int)
}

extension BencodePathComponent: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .key(Array(value.utf8))
    }
}

extension BencodePathComponent: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .index(value)
    }
}

/// Where a decoded value lies in its input. `children` line up with a
/// list's elements or a dictionary's entries; scalars have none.
struct BencodeSpan: Sendable {
    var range: Range<Int>
    var children: [BencodeSpan] = []
}

/// A bencode dictionary: byte-string keys, each at most once, always kept in
/// sorted order of their raw bytes.
///
/// BEP 3 requires the sorted order in the encoding: "Keys must be strings and
/// appear in sorted order (sorted as raw strings, not alphanumerics)."
/// Keeping it in memory too makes equality independent of insertion order,
/// lets lookups use binary search, and makes encoding a straight walk.
public struct BencodeDictionary: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: [UInt8]
        public var value: BencodeValue

        public init(key: [UInt8], value: BencodeValue) {
            self.key = key
            self.value = value
        }

        /// The key as UTF-8 text, or nil when it is not valid UTF-8.
        public var keyString: String? {
            String(validating: key, as: UTF8.self)
        }
    }

    public private(set) var entries: [Entry]

    public init() {
        entries = []
    }

    /// Entries with unique keys; a repeated key keeps the last value.
    public init(_ entries: some Sequence<Entry>) {
        self.entries = []
        for entry in entries {
            self[entry.key] = entry.value
        }
    }

    /// Takes entries as they are; the decoder has already proven their keys
    /// strictly increasing.
    init(uncheckedEntries entries: [Entry]) {
        self.entries = entries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [[UInt8]] { entries.map(\.key) }

    /// Getting returns the value for `key`; setting replaces it, inserts a
    /// new entry at its sorted place, or (with nil) removes the entry.
    public subscript(key: [UInt8]) -> BencodeValue? {
        get {
            index(ofKey: key).map { entries[$0].value }
        }
        set {
            let position = insertionPoint(of: key)
            let found = position < entries.count && entries[position].key == key
            switch (found, newValue) {
            case (true, let value?):
                entries[position].value = value
            case (true, nil):
                entries.remove(at: position)
            case (false, let value?):
                entries.insert(Entry(key: key, value: value), at: position)
            case (false, nil):
                break
            }
        }
    }

    public subscript(key: String) -> BencodeValue? {
        get { self[Array(key.utf8)] }
        set { self[Array(key.utf8)] = newValue }
    }

    /// The index of `key` in `entries`, used to find its raw byte range.
    public func index(ofKey key: [UInt8]) -> Int? {
        let position = insertionPoint(of: key)
        return position < entries.count && entries[position].key == key ? position : nil
    }

    /// The first index whose key does not sort before `key`.
    private func insertionPoint(of key: [UInt8]) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key.lexicographicallyPrecedes(key) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

extension BencodeDictionary: Sequence {
    public func makeIterator() -> IndexingIterator<[Entry]> {
        entries.makeIterator()
    }
}

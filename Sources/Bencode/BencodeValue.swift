/// A bencoded value (BEP 3).
///
/// BEP 3: "Strings are length-prefixed base ten followed by a colon and the
/// string", "Integers are represented by an 'i' followed by the number in base
/// 10 followed by an 'e'", "Lists are encoded as an 'l' followed by their
/// elements (also bencoded) followed by an 'e'", "Dictionaries are encoded as a
/// 'd' followed by a list of alternating keys and their corresponding values
/// followed by an 'e'".
///
/// Byte strings are raw bytes, not text: torrent files carry SHA-1 digests in
/// them. Use `string` to read one as UTF-8.
public enum BencodeValue: Hashable, Sendable {
    case integer(Int64)
    case bytes([UInt8])
    case list([BencodeValue])
    case dictionary(BencodeDictionary)
}

extension BencodeValue {
    /// A byte string holding the UTF-8 encoding of `text`.
    public static func string(_ text: String) -> BencodeValue {
        .bytes(Array(text.utf8))
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var bytes: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// The byte string decoded as UTF-8; nil when this is not a byte string
    /// or the bytes are not valid UTF-8 (invalid bytes are never replaced).
    public var string: String? {
        guard case .bytes(let value) = self else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    public var list: [BencodeValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    public var dictionary: BencodeDictionary? {
        if case .dictionary(let value) = self { return value }
        return nil
    }

    /// The value stored under `key` when this is a dictionary; nil otherwise.
    public subscript(key: String) -> BencodeValue? {
        dictionary?[key]
    }

    /// The value stored under the raw `key` when this is a dictionary.
    public subscript(key: [UInt8]) -> BencodeValue? {
        dictionary?[key]
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .integer: "integer"
        case .bytes: "byte string"
        case .list: "list"
        case .dictionary: "dictionary"
        }
    }
}

extension BencodeValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension BencodeValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension BencodeValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: BencodeValue...) {
        self = .list(elements)
    }
}

extension BencodeValue: ExpressibleByDictionaryLiteral {
    /// Later duplicates replace earlier ones, as with `BencodeDictionary`'s subscript.
    public init(dictionaryLiteral elements: (String, BencodeValue)...) {
        var dictionary = BencodeDictionary()
        for (key, value) in elements {
            dictionary[key] = value
        }
        self = .dictionary(dictionary)
    }
}

/// Why bencoded input was rejected, and the byte offset where it went wrong.
///
/// Offsets count from the start of the buffer given to the decoder.
public struct BencodeError: Error, Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// The input ended while `expected` was still needed.
        case truncated(expected: String)
        /// `byte` appeared where `expected` was needed.
        case unexpectedByte(UInt8, expected: String)
        /// "i03e" or "03:abc": BEP 3 allows no leading zeros.
        case leadingZero
        /// "i-0e": BEP 3 says "i-0e is invalid".
        case negativeZero
        /// "ie" or "i-e": an integer needs at least one digit.
        case emptyInteger
        /// The integer does not fit in 64 bits (or a string length in `Int`).
        case integerOverflow
        /// A string claims more bytes than are left in the input.
        case stringLengthExceedsInput(length: Int, remaining: Int)
        /// A dictionary key does not sort strictly after the previous one.
        case unsortedKey
        /// A dictionary key equals the previous one.
        case duplicateKey
        /// Lists and dictionaries nest deeper than `limit`.
        case nestingTooDeep(limit: Int)
        /// Bytes follow the complete top-level value.
        case trailingBytes(count: Int)
        /// The input is larger than the decoder's limit.
        case inputTooLarge(size: Int, limit: Int)
    }

    public let kind: Kind
    public let offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}

extension BencodeError: CustomStringConvertible {
    public var description: String {
        "invalid bencode at byte \(offset): \(reason)"
    }

    private var reason: String {
        switch kind {
        case .truncated(let expected):
            "input ended, expected \(expected); the data is truncated"
        case .unexpectedByte(let byte, let expected):
            "found \(Self.describe(byte)), expected \(expected)"
        case .leadingZero:
            "number has a leading zero, expected a canonical base-10 number"
        case .negativeZero:
            "integer is negative zero (i-0e), expected i0e"
        case .emptyInteger:
            "integer has no digits, expected at least one digit"
        case .integerOverflow:
            "number does not fit in 64 bits, expected a smaller number"
        case .stringLengthExceedsInput(let length, let remaining):
            "string claims \(length) bytes but only \(remaining) remain, expected a length within the input"
        case .unsortedKey:
            "dictionary key is out of order, expected keys sorted by raw bytes"
        case .duplicateKey:
            "dictionary key repeats the previous key, expected each key once"
        case .nestingTooDeep(let limit):
            "lists and dictionaries nest deeper than \(limit) levels, expected at most \(limit)"
        case .trailingBytes(let count):
            "\(count) byte(s) follow the top-level value, expected end of input"
        case .inputTooLarge(let size, let limit):
            "input is \(size) bytes, expected at most \(limit)"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}

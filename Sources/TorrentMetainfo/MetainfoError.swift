import Bencode

/// Why a torrent could not be read or built. Keys are named as they appear in
/// the file, with nested keys joined by dots (e.g. "info.piece length").
public enum MetainfoError: Error, Hashable, Sendable {
    /// The file is not valid bencode.
    case malformedBencode(BencodeError)
    /// The file is larger than `Metainfo.maximumSize`.
    case tooLarge(size: Int, limit: Int)
    /// A required key is absent.
    case missingKey(String)
    /// A key holds the wrong kind of value.
    case wrongType(key: String, expected: String, found: String)
    /// A key holds a value of the right kind that is not acceptable.
    case invalidValue(key: String, reason: String)
    /// The torrent describes several files (`info.files`); only single-file
    /// torrents are supported.
    case multiFileNotSupported
    /// `info.pieces` does not hold one hash per piece of `info.length`.
    case pieceCountMismatch(expected: Int, found: Int)
    /// The torrent name cannot be used as a file name.
    case unsafeName(String, reason: String)
    /// A piece length is not a power of two within the allowed range.
    case invalidPieceLength(Int, reason: String)
    /// A torrent cannot describe an empty payload.
    case emptyPayload
}

extension MetainfoError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformedBencode(let error):
            "torrent file is not valid bencode: \(error)"
        case .tooLarge(let size, let limit):
            "torrent file is \(size) bytes, larger than the \(limit)-byte limit; it is not a torrent this tool accepts"
        case .missingKey(let key):
            "torrent is missing the required key \"\(key)\""
        case .wrongType(let key, let expected, let found):
            "torrent key \"\(key)\" holds \(Self.article(found)), expected \(Self.article(expected))"
        case .invalidValue(let key, let reason):
            "torrent key \"\(key)\" is invalid: \(reason)"
        case .multiFileNotSupported:
            "multi-file torrents are not supported (\"info.files\" is present); make a torrent of a single file, such as a tarball"
        case .pieceCountMismatch(let expected, let found):
            "torrent key \"info.pieces\" holds \(found) piece hash(es), but \"info.length\" and \"info.piece length\" need \(expected)"
        case .unsafeName(let name, let reason):
            "torrent name \(Self.quote(name)) cannot be used as a file name: \(reason)"
        case .invalidPieceLength(let length, let reason):
            "piece length \(length) is invalid: \(reason); use a power of two from \(PieceLength.minimum) (16 KiB) to \(PieceLength.maximum) (64 MiB)"
        case .emptyPayload:
            "the payload is empty; a torrent needs at least one byte to share"
        }
    }

    /// "an integer", "a list": keeps messages grammatical for any type name.
    private static func article(_ noun: String) -> String {
        let vowel = noun.first.map { "aeiou".contains($0) } ?? false
        return (vowel ? "an " : "a ") + noun
    }

    /// Quotes a name and escapes control characters so the message stays on one line.
    private static func quote(_ name: String) -> String {
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\"" || scalar == "\\" {
                quoted += scalar.escaped(asASCII: true)
            } else {
                quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

/// A strict bencode decoder: it accepts only the one canonical encoding of a
/// value, so decoding and re-encoding gives back the input byte for byte.
///
/// Input from peers and other tools is hostile, so nesting depth and input
/// size are capped, and a string length is checked against the bytes that
/// remain before anything is allocated for it.
public struct BencodeDecoder: Sendable {
    public struct Limits: Hashable, Sendable {
        /// Lists and dictionaries may nest at most this deep (a top-level
        /// list is depth 1). Decoding recurses once per level.
        public var maximumDepth: Int
        /// Inputs longer than this are rejected before decoding starts.
        public var maximumInputLength: Int

        public init(maximumDepth: Int = 64, maximumInputLength: Int = .max) {
            self.maximumDepth = maximumDepth
            self.maximumInputLength = maximumInputLength
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes exactly one value that must span the whole of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(BencodeError) -> BencodeValue {
        try decodeDocument(bytes).root
    }

    /// Decodes `bytes` and keeps where each value lies in them, so callers can
    /// hash a value's original bytes (the torrent info-hash).
    public func decodeDocument(_ bytes: [UInt8]) throws(BencodeError) -> BencodeDocument {
        guard bytes.count <= limits.maximumInputLength else {
            throw BencodeError(.inputTooLarge(size: bytes.count, limit: limits.maximumInputLength), at: 0)
        }
        var parser = Parser(bytes: bytes, maximumDepth: limits.maximumDepth)
        let (root, span) = try parser.parseValue(depth: 0)
        if parser.position < bytes.count {
            throw BencodeError(.trailingBytes(count: bytes.count - parser.position), at: parser.position)
        }
        return BencodeDocument(bytes: bytes, root: root, rootSpan: span)
    }
}

extension BencodeDecoder {
    /// The cursor over the input. `position` always points at the next unread byte.
    private struct Parser {
        let bytes: [UInt8]
        let maximumDepth: Int
        var position = 0

        init(bytes: [UInt8], maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        private static let anyValue = "a value ('i', 'l', 'd' or a digit)"

        mutating func parseValue(depth: Int) throws(BencodeError) -> (BencodeValue, BencodeSpan) {
            guard position < bytes.count else {
                throw BencodeError(.truncated(expected: Self.anyValue), at: position)
            }
            let start = position
            switch bytes[position] {
            case UInt8(ascii: "i"):
                let value = try parseInteger()
                return (.integer(value), BencodeSpan(range: start..<position))
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let value = try parseString()
                return (.bytes(value), BencodeSpan(range: start..<position))
            case UInt8(ascii: "l"):
                return try parseList(depth: depth + 1)
            case UInt8(ascii: "d"):
                return try parseDictionary(depth: depth + 1)
            case let byte:
                throw BencodeError(.unexpectedByte(byte, expected: Self.anyValue), at: position)
            }
        }

        /// BEP 3: "i3e" is 3, "i-3e" is -3; "i-0e is invalid. All encodings
        /// with a leading zero, such as i03e, are invalid, other than i0e".
        mutating func parseInteger() throws(BencodeError) -> Int64 {
            position += 1  // 'i'
            let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
            if negative {
                position += 1
            }
            let digitsStart = position
            guard position < bytes.count else {
                throw BencodeError(.truncated(expected: "a digit"), at: position)
            }
            if bytes[position] == UInt8(ascii: "e") {
                throw BencodeError(.emptyInteger, at: position)
            }
            if bytes[position] == UInt8(ascii: "0") && position + 1 < bytes.count {
                if Self.isDigit(bytes[position + 1]) {
                    throw BencodeError(.leadingZero, at: position)
                }
                if negative {
                    throw BencodeError(.negativeZero, at: digitsStart - 1)
                }
            }
            // Accumulate toward the sign so Int64.min is representable.
            var value: Int64 = 0
            while position < bytes.count, Self.isDigit(bytes[position]) {
                let digit = Int64(bytes[position] - UInt8(ascii: "0"))
                let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = negative
                    ? shifted.subtractingReportingOverflow(digit)
                    : shifted.addingReportingOverflow(digit)
                if overflowA || overflowB {
                    throw BencodeError(.integerOverflow, at: digitsStart)
                }
                value = next
                position += 1
            }
            try expect(UInt8(ascii: "e"), expected: position == digitsStart ? "a digit" : "a digit or 'e'")
            return value
        }

        /// BEP 3: "4:spam" is the string "spam". The length follows the
        /// integer rules: base 10, no leading zeros ("0:" is the empty string).
        mutating func parseString() throws(BencodeError) -> [UInt8] {
            let start = position
            if bytes[position] == UInt8(ascii: "0"),
                position + 1 < bytes.count, Self.isDigit(bytes[position + 1])
            {
                throw BencodeError(.leadingZero, at: start)
            }
            var length = 0
            while position < bytes.count, Self.isDigit(bytes[position]) {
                let digit = Int(bytes[position] - UInt8(ascii: "0"))
                let (shifted, overflowA) = length.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = shifted.addingReportingOverflow(digit)
                if overflowA || overflowB {
                    throw BencodeError(.integerOverflow, at: start)
                }
                length = next
                position += 1
            }
            try expect(UInt8(ascii: ":"), expected: "a digit or ':'")
            let remaining = bytes.count - position
            guard length <= remaining else {
                throw BencodeError(.stringLengthExceedsInput(length: length, remaining: remaining), at: start)
            }
            defer { position += length }
            return Array(bytes[position..<position + length])
        }

        mutating func parseList(depth: Int) throws(BencodeError) -> (BencodeValue, BencodeSpan) {
            let start = position
            try checkDepth(depth)
            position += 1  // 'l'
            var values: [BencodeValue] = []
            var spans: [BencodeSpan] = []
            while true {
                guard position < bytes.count else {
                    throw BencodeError(.truncated(expected: "a list element or 'e'"), at: position)
                }
                if bytes[position] == UInt8(ascii: "e") {
                    position += 1
                    break
                }
                let (value, span) = try parseValue(depth: depth)
                values.append(value)
                spans.append(span)
            }
            return (.list(values), BencodeSpan(range: start..<position, children: spans))
        }

        mutating func parseDictionary(depth: Int) throws(BencodeError) -> (BencodeValue, BencodeSpan) {
            let start = position
            try checkDepth(depth)
            position += 1  // 'd'
            var entries: [BencodeDictionary.Entry] = []
            var spans: [BencodeSpan] = []
            while true {
                guard position < bytes.count else {
                    throw BencodeError(.truncated(expected: "a dictionary key or 'e'"), at: position)
                }
                let byte = bytes[position]
                if byte == UInt8(ascii: "e") {
                    position += 1
                    break
                }
                guard Self.isDigit(byte) else {
                    throw BencodeError(.unexpectedByte(byte, expected: "a byte-string dictionary key or 'e'"), at: position)
                }
                let keyStart = position
                let key = try parseString()
                // BEP 3: keys "appear in sorted order (sorted as raw strings,
                // not alphanumerics)". Strictly increasing also rules out repeats.
                if let previous = entries.last?.key {
                    if key == previous {
                        throw BencodeError(.duplicateKey, at: keyStart)
                    }
                    if !previous.lexicographicallyPrecedes(key) {
                        throw BencodeError(.unsortedKey, at: keyStart)
                    }
                }
                guard position < bytes.count else {
                    throw BencodeError(.truncated(expected: "a value for the dictionary key"), at: position)
                }
                let (value, span) = try parseValue(depth: depth)
                entries.append(BencodeDictionary.Entry(key: key, value: value))
                spans.append(span)
            }
            let dictionary = BencodeDictionary(uncheckedEntries: entries)
            return (.dictionary(dictionary), BencodeSpan(range: start..<position, children: spans))
        }

        private func checkDepth(_ depth: Int) throws(BencodeError) {
            if depth > maximumDepth {
                throw BencodeError(.nestingTooDeep(limit: maximumDepth), at: position)
            }
        }

        private mutating func expect(_ byte: UInt8, expected: String) throws(BencodeError) {
            guard position < bytes.count else {
                throw BencodeError(.truncated(expected: expected), at: position)
            }
            guard bytes[position] == byte else {
                throw BencodeError(.unexpectedByte(bytes[position], expected: expected), at: position)
            }
            position += 1
        }

        private static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
    }
}

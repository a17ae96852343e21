/// Writes the canonical encoding of a value: dictionary keys sorted by raw
/// bytes, integers without leading zeros. The same value always gives the same
/// bytes, which is what makes a torrent reproducible.
public enum BencodeEncoder {
    public static func encode(_ value: BencodeValue) -> [UInt8] {
        var output: [UInt8] = []
        append(value, to: &output)
        return output
    }

    public static func append(_ value: BencodeValue, to output: inout [UInt8]) {
        switch value {
        case .integer(let integer):
            output.append(UInt8(ascii: "i"))
            output.append(contentsOf: String(integer).utf8)
            output.append(UInt8(ascii: "e"))
        case .bytes(let bytes):
            appendString(bytes, to: &output)
        case .list(let list):
            output.append(UInt8(ascii: "l"))
            for element in list {
                append(element, to: &output)
            }
            output.append(UInt8(ascii: "e"))
        case .dictionary(let dictionary):
            output.append(UInt8(ascii: "d"))
            // BEP 3: keys "appear in sorted order (sorted as raw strings, not
            // alphanumerics)"; BencodeDictionary keeps its entries that way.
            for entry in dictionary.entries {
                appendString(entry.key, to: &output)
                append(entry.value, to: &output)
            }
            output.append(UInt8(ascii: "e"))
        }
    }

    private static func appendString(_ bytes: [UInt8], to output: inout [UInt8]) {
        output.append(contentsOf: String(bytes.count).utf8)
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: bytes)
    }
}

extension BencodeValue {
    /// The canonical encoding of this value.
    public var encoded: [UInt8] {
        BencodeEncoder.encode(self)
    }
}

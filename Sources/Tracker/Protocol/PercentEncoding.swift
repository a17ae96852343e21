import TorrentMetainfo

/// Percent-encoding of query components as raw bytes (RFC 3986 section 2.1).
///
/// The info-hash and peer id are binary, so a component is decoded to bytes
/// and never passes through `String`, which would replace invalid UTF-8.
enum PercentEncoding {
    /// RFC 3986 section 2.3: "unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"".
    /// Everything else is escaped, which every tracker accepts.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in bytes {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(digits[Int(byte >> 4)])
                output.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` (either case) and, as HTML forms encode a space, `+`.
    /// Fails with the offending offset when an escape is truncated or not hex.
    static func decode(_ component: ArraySlice<UInt8>) -> Result<[UInt8], DecodeFailure> {
        var output: [UInt8] = []
        output.reserveCapacity(component.count)
        var index = component.startIndex
        while index < component.endIndex {
            let byte = component[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < component.endIndex,
                    let high = Hex.value(ofDigit: component[index + 1]), let low = Hex.value(ofDigit: component[index + 2])
                else {
                    return .failure(DecodeFailure(offset: index - component.startIndex))
                }
                output.append(high << 4 | low)
                index += 3
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
                index += 1
            default:
                output.append(byte)
                index += 1
            }
        }
        return .success(output)
    }

    struct DecodeFailure: Error {
        /// Offset of the bad '%' within the component.
        let offset: Int
    }
}

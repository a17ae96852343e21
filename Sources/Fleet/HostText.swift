/// Text that came from a host — its command's output, its peer's messages — made safe to
/// print. A host is not trusted with the operator's terminal: an escape sequence in a
/// hostile or broken host's output could move the cursor, rewrite earlier lines (a failed
/// host shown as "ok"), or set the window title. Control characters are shown as `\xNN`
/// instead; tab stays, so columns line up.
public enum HostText {
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                result.append(scalar)
                continue
            }
            let digits = Array("0123456789ABCDEF".unicodeScalars)
            result.append(contentsOf: "\\x".unicodeScalars)
            if scalar.value > 0xFF {
                result.append(contentsOf: "{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(digits[Int(scalar.value >> 4)])
                result.append(digits[Int(scalar.value & 0x0F)])
            }
        }
        return String(result)
    }

    /// C0 controls but tab, DEL, C1 controls (a terminal may read U+009B as CSI), and the
    /// bidirectional overrides that reorder what a line appears to say.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

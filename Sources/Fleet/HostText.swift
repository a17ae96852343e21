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
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let shown = scalar.value > 0xFF ? "\\x{\(hex)}" : (hex.count < 2 ? "\\x0" : "\\x") + hex
            result.append(contentsOf: shown.unicodeScalars)
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

import Fleet
import Testing

@Suite("Host text made safe to print")
struct HostTextTests {
    @Test(arguments: [
        ("plain text, unchanged", "plain text, unchanged"),
        ("tab\tstays", "tab\tstays"),
        ("\u{1B}[31mred\u{1B}[0m", "\\x1B[31mred\\x1B[0m"),
        ("bell\u{07} and DEL\u{7F}", "bell\\x07 and DEL\\x7F"),
        ("C1 CSI\u{9B}2J", "C1 CSI\\x9B2J"),
        ("carriage\rreturn", "carriage\\x0Dreturn"),
        ("right-to-left \u{202E}override", "right-to-left \\x{202E}override"),
        ("ünïcödé ✓ stays", "ünïcödé ✓ stays"),
    ])
    func printable(_ text: String, _ shown: String) {
        #expect(HostText.printable(text) == shown)
    }
}

import Testing

@testable import Tracker

@Suite struct IPAddressTests {
    @Test func literalsParseAndPrintBack() {
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
        #expect(IPAddress("fd00:10:77::101")?.description == "fd00:10:77::101")
        // One host is one address whichever socket it used.
        #expect(IPAddress("::ffff:10.0.0.1") == IPAddress("10.0.0.1"))
    }

    /// inet_pton stops at a NUL, so the text after it would be ignored silently.
    @Test func textWithANulIsNotAnAddress() {
        #expect(IPAddress("10.0.0.1\u{0}junk") == nil)
        #expect(IPAddress("::1\u{0}") == nil)
        #expect(IPAddress("host.example") == nil)
    }
}

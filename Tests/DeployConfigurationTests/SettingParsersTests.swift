import Testing
@testable import DeployConfiguration

@Suite struct SettingParsersTests {
    @Test(arguments: [
        ("30", 30.0), ("2.5", 2.5), ("0", 0), ("30s", 30), ("5m", 300), ("1h", 3600), ("1m30s", 90),
        ("1h5m10s", 3910), ("500ms", 0.5), ("1s500ms", 1.5), ("1.5m", 90), (" 10s ", 10), ("2H", 7200),
    ])
    func duration(_ text: String, _ seconds: Double) throws {
        #expect(try SettingParsers.duration(text) == .seconds(seconds))
    }

    @Test func zeroOnlyWhereAllowedAndThirtyDaysAtMost() throws {
        #expect(try SettingParsers.duration("0") == .zero)
        let zero = #expect(throws: DeployError.self) { try SettingParsers.duration("0", allowZero: false) }
        #expect(zero?.description.contains("'0' must be above zero") == true)
        #expect(try SettingParsers.duration("720h") == .seconds(30 * 24 * 3600))
        let long = #expect(throws: DeployError.self) { try SettingParsers.duration("1e16") }
        #expect(long?.description.contains("longer than 30 days") == true)
    }

    /// Beyond 30 days arithmetic in milliseconds (the peer's job) would come close to
    /// overflowing; 1e300 seconds traps when made a Duration.
    @Test(arguments: [
        "", "5x", "s", "30s5m", "1m1m", "-5", "abc", "1m 30s", "5m-1s", "nan", "inf",
        "1e16", "1e300", "2592001", "721h", "99999999999999999999999h",
    ])
    func invalidDuration(_ text: String) {
        let error = #expect(throws: DeployError.self) { try SettingParsers.duration(text) }
        #expect(error?.kind == .invalidValue)
        #expect(error?.remedy?.contains("1m30s") == true)
    }

    @Test(arguments: [
        ("1048576", 1 << 20), ("1MiB", 1 << 20), ("256KiB", 256 << 10), ("16MiB", 16 << 20), ("512B", 512),
        ("2GiB", 2 << 30), ("1 mib", 1 << 20), ("3TiB", 3 << 40),
    ])
    func size(_ text: String, _ bytes: Int) throws {
        #expect(try SettingParsers.size(text) == bytes)
    }

    @Test(arguments: ["", "MiB", "1.5MiB", "-1", "1 fish", "9999999999TiB", "99999999999999999999"])
    func invalidSize(_ text: String) {
        #expect(throws: DeployError.self) { try SettingParsers.size(text) }
    }

    @Test func decimalSizeUnitsAreRejectedWithAHint() {
        let error = #expect(throws: DeployError.self) { try SettingParsers.size("1MB") }
        #expect(error?.description.contains("1MiB") == true)
    }

    @Test(arguments: [
        ("1gbit", 1e9), ("100M", 1e8), ("100mbit", 1e8), ("10G", 1e10), ("2.5gbit/s", 2.5e9), ("1000000", 1e6),
        ("5kbit", 5e3), ("40Gbps", 4e10), ("1 tbit", 1e12), ("1000bit", 1000),
    ])
    func linkRate(_ text: String, _ rate: Double) throws {
        #expect(try SettingParsers.linkRate(text) == rate)
    }

    /// Below 1 kbit/s the estimates run to ages no clock holds; 1e400 is not finite.
    @Test(arguments: ["", "0", "0gbit", "fast", "1gbyte", "M", "1..2G", "800bit", "0.0000001", "1e400"])
    func invalidLinkRate(_ text: String) {
        #expect(throws: DeployError.self) { try SettingParsers.linkRate(text) }
    }

    @Test func maxRate() throws {
        #expect(try SettingParsers.maxRate("20mbit") == 2e7)
        #expect(try SettingParsers.maxRate("1G") == 1e9)
        #expect(try SettingParsers.maxRate("none") == nil)
        #expect(try SettingParsers.maxRate("Off") == nil)
        for text in ["0", "999kbit", "fast", "20TB", "1e400", "11tbit"] {
            #expect(throws: DeployError.self, "\(text)") { try SettingParsers.maxRate(text) }
        }
    }

    @Test func pieceSize() throws {
        #expect(try SettingParsers.pieceSize("auto") == nil)
        #expect(try SettingParsers.pieceSize("AUTO") == nil)
        #expect(try SettingParsers.pieceSize("16KiB") == 16 << 10)
        #expect(try SettingParsers.pieceSize("1MiB") == 1 << 20)
        #expect(try SettingParsers.pieceSize("64MiB") == 64 << 20)
        for bad in ["3MiB", "8KiB", "128MiB", "1000000", "big"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.pieceSize(bad) }
        }
    }

    @Test func gzip() throws {
        #expect(try SettingParsers.gzip("false") == nil)
        #expect(try SettingParsers.gzip("off") == nil)
        #expect(try SettingParsers.gzip("true") == SettingParsers.defaultGzipLevel)
        #expect(try SettingParsers.gzip("1") == 1)
        #expect(try SettingParsers.gzip("9") == 9)
        for bad in ["0", "10", "-1", "max"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.gzip(bad) }
        }
    }

    @Test(arguments: [("/opt/app", "/opt/app"), ("/opt/app/", "/opt/app"), ("//srv//www/", "/srv/www")])
    func destination(_ text: String, _ normalized: String) throws {
        #expect(try SettingParsers.destination(text) == normalized)
    }

    @Test(arguments: ["opt/app", "", "/", "///", "/opt/../etc", "/opt/./app", "~/app", "/opt/a\npp"])
    func invalidDestination(_ text: String) {
        #expect(throws: DeployError.self) { try SettingParsers.destination(text) }
    }

    @Test func trackerURL() throws {
        #expect(try SettingParsers.trackerURL("http://t.example.com:6969/announce") == "http://t.example.com:6969/announce")
        #expect(try SettingParsers.trackerURL("http://[fd00::1]:80/announce") == "http://[fd00::1]:80/announce")
        for bad in ["https://t.example.com/announce", "udp://t:6969", "http:///announce", "t.example.com", "http://a b/"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.trackerURL(bad) }
        }
    }

    @Test func listen() throws {
        #expect(try SettingParsers.listen("auto") == nil)
        #expect(try SettingParsers.listen("10.0.0.1") == "10.0.0.1")
        #expect(try SettingParsers.listen("[fd00::1]") == "fd00::1")
        #expect(try SettingParsers.listen("controller.example.com") == "controller.example.com")
        for bad in ["10.0.0.1:80", "", "a b", "[fd00::1"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.listen(bad) }
        }
    }

    @Test func user() throws {
        #expect(try SettingParsers.user("deploy") == "deploy")
        for bad in ["", "-oProxyCommand", "a b", "a@b"] {
            #expect(throws: DeployError.self, "\(bad)") { try SettingParsers.user(bad) }
        }
    }
}

import Foundation
import Testing
import TestSupport
@testable import DeployConfiguration

@Suite struct HostsFileTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let line: String
        let user: String?
        let host: String
        let port: Int?
        let labels: [String: String]
        var testDescription: String { line }
    }

    static let valid: [Valid] = [
        Valid(line: "web1.example.com", user: nil, host: "web1.example.com", port: nil, labels: [:]),
        Valid(line: "deploy@web1:2222", user: "deploy", host: "web1", port: 2222, labels: [:]),
        Valid(line: "10.0.0.7", user: nil, host: "10.0.0.7", port: nil, labels: [:]),
        Valid(line: "root@10.0.0.7:22", user: "root", host: "10.0.0.7", port: 22, labels: [:]),
        Valid(line: "[fd00::5]:2222", user: nil, host: "fd00::5", port: 2222, labels: [:]),
        Valid(line: "ops@[::1]", user: "ops", host: "::1", port: nil, labels: [:]),
        Valid(line: "fd00::5", user: nil, host: "fd00::5", port: nil, labels: [:]),
        Valid(line: "[fe80::1%eth0]:22", user: nil, host: "fe80::1%eth0", port: 22, labels: [:]),
        Valid(line: "web_1.internal:65535", user: nil, host: "web_1.internal", port: 65535, labels: [:]),
        Valid(line: "web1.example.com rack=r1 dc=east", user: nil, host: "web1.example.com", port: nil,
              labels: ["rack": "r1", "dc": "east"]),
        Valid(line: "  a-1:1\track=r2   role=db=primary  # trailing comment", user: nil, host: "a-1", port: 1,
              labels: ["rack": "r2", "role": "db=primary"]),
        Valid(line: "web1\r", user: nil, host: "web1", port: nil, labels: [:]),
    ]

    @Test(arguments: valid)
    func parsesValidLine(_ case_: Valid) throws {
        let entries = try HostsFile.parse("# header\n\n" + case_.line + "\n", path: "hosts.txt")
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.user == case_.user)
        #expect(entry.address.host == case_.host)
        #expect(entry.address.port == case_.port)
        #expect(entry.labels == case_.labels)
        #expect(entry.line == 3)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let contents: String
        let kind: DeployError.Kind
        let line: Int?
        let column: Int?
        let mentions: String
        var testDescription: String { contents.debugDescription }
    }

    static let invalid: [Invalid] = [
        Invalid(contents: "web1\n@web2", kind: .malformedHost, line: 2, column: 1, mentions: "empty user"),
        Invalid(contents: "web1:0", kind: .malformedHost, line: 1, column: 6, mentions: "out of range"),
        Invalid(contents: "a\nb\nweb1:70000", kind: .malformedHost, line: 3, column: 6, mentions: "port 70000"),
        Invalid(contents: "web1:99999999999999999999", kind: .malformedHost, line: 1, column: 6, mentions: "out of range"),
        Invalid(contents: "web1:ssh", kind: .malformedHost, line: 1, column: 6, mentions: "not a number"),
        Invalid(contents: "web1:", kind: .malformedHost, line: 1, column: 6, mentions: "missing port"),
        Invalid(contents: "  [fd00::5:22", kind: .malformedHost, line: 1, column: 3, mentions: "unbalanced '['"),
        Invalid(contents: "fd00::5]:22", kind: .malformedHost, line: 1, column: 8, mentions: "unbalanced ']'"),
        Invalid(contents: "[fd00:: 5]:22", kind: .malformedHost, line: 1, column: 1, mentions: "unbalanced '['"),
        Invalid(contents: "[web1]:22", kind: .malformedHost, line: 1, column: 2, mentions: "not an IPv6 address"),
        Invalid(contents: "[::1]22", kind: .malformedHost, line: 1, column: 6, mentions: "after ']'"),
        Invalid(contents: "web!1", kind: .malformedHost, line: 1, column: 4, mentions: "invalid character '!'"),
        Invalid(contents: "us er@web1", kind: .malformedLabel, line: 1, column: 4, mentions: "no '='"),
        Invalid(contents: "b@d@web1", kind: .malformedHost, line: 1, column: 4, mentions: "more than one '@'"),
        Invalid(contents: "us%r@web1", kind: .malformedHost, line: 1, column: 3, mentions: "invalid character '%'"),
        Invalid(contents: "deploy@", kind: .malformedHost, line: 1, column: 8, mentions: "missing host"),
        Invalid(contents: "300.1.1.1", kind: .malformedHost, line: 1, column: 1, mentions: "not a valid IPv4"),
        Invalid(contents: "a..b", kind: .malformedHost, line: 1, column: 1, mentions: "empty label"),
        Invalid(contents: "-web1", kind: .malformedHost, line: 1, column: 1, mentions: "starts with '-'"),
        Invalid(contents: "fd00::zz", kind: .malformedHost, line: 1, column: 1, mentions: "not a valid IPv6"),
        Invalid(contents: "web1 rack", kind: .malformedLabel, line: 1, column: 6, mentions: "no '='"),
        Invalid(contents: "web1 =r1", kind: .malformedLabel, line: 1, column: 6, mentions: "empty key"),
        Invalid(contents: "web1 rack=", kind: .malformedLabel, line: 1, column: 6, mentions: "empty value"),
        Invalid(contents: "web1 ra/ck=1", kind: .malformedLabel, line: 1, column: 6, mentions: "key 'ra/ck'"),
        Invalid(contents: "web1 rack=r1 rack=r2", kind: .malformedLabel, line: 1, column: 14, mentions: "given twice"),
        Invalid(contents: "a\nb\nA # again", kind: .duplicateHost, line: 3, column: 1, mentions: "duplicates line 1"),
        Invalid(contents: "a:22\n\nbob@a", kind: .duplicateHost, line: 3, column: 1, mentions: "duplicates line 1"),
        Invalid(contents: "[fd00::5]:22\nfd00:0::5", kind: .duplicateHost, line: 2, column: 1, mentions: "duplicates line 1"),
        Invalid(contents: "web1.\nweb1", kind: .duplicateHost, line: 2, column: 1, mentions: "duplicates line 1"),
        Invalid(contents: "# only comments\n\n   \n", kind: .noHosts, line: nil, column: nil, mentions: "no hosts"),
        Invalid(contents: "", kind: .noHosts, line: nil, column: nil, mentions: "no hosts"),
    ]

    @Test(arguments: invalid)
    func rejectsInvalidContents(_ case_: Invalid) {
        do {
            let entries = try HostsFile.parse(case_.contents, path: "conf/hosts.txt")
            Issue.record("expected an error, got \(entries)")
        } catch let error as DeployError {
            #expect(error.kind == case_.kind)
            #expect(error.path == "conf/hosts.txt")
            #expect(error.line == case_.line)
            #expect(error.column == case_.column)
            #expect(error.remedy != nil)
            let text = error.description
            #expect(text.contains(case_.mentions), "\(text)")
            let location = ["conf/hosts.txt", case_.line.map(String.init), case_.column.map(String.init)]
                .compactMap { $0 }.joined(separator: ":")
            #expect(text.hasPrefix(location + ": "), "\(text)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    /// Found by FuzzHostsFile: "fd::", a NUL and junk passed as an IPv6 address, because
    /// inet_pton stops reading at the NUL, and the host kept the junk.
    @Test func nulInsideAnAddressIsRefused() {
        let input: [UInt8] = [0x0A, 0x5B, 0x66, 0x64, 0x3A, 0x3A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5B, 0x36, 0x5D]
        let error = #expect(throws: DeployError.self) {
            try HostsFile.parse(String(decoding: input, as: UTF8.self), path: "hosts")
        }
        #expect(error?.kind == .malformedHost)
        #expect(error?.line == 2)
        #expect(error?.description.contains("not an IPv6 address") == true, "\(String(describing: error))")
        for line in ["fd00::5\u{0}x", "10.0.0.1\u{0}", "[::1\u{0}]:22"] {
            #expect(throws: DeployError.self, "\(line.debugDescription)") { try HostsFile.parse(line, path: "hosts") }
        }
    }

    @Test func hostsWithDifferentPortsAreDistinct() throws {
        let entries = try HostsFile.parse("web1:22\nweb1:2222\n[::1]:22\n::1.0.0.1", path: "h")
        #expect(entries.map(\.address.description) == ["web1:22", "web1:2222", "[::1]:22", "::1.0.0.1"])
    }

    @Test func crlfLineEndingsCountAsOneLineBreak() throws {
        let entries = try HostsFile.parse("a rack=1\r\n\r\nb\r\n", path: "h")
        #expect(entries.map(\.line) == [1, 3])
        #expect(entries.map(\.labels) == [["rack": "1"], [:]])
        let error = #expect(throws: DeployError.self) { try HostsFile.parse("a\r\nb:x\r\n", path: "h") }
        #expect(error?.line == 2)
    }

    @Test func defaultPortDecidesDuplicates() throws {
        #expect(throws: DeployError.self) { try HostsFile.parse("web1\nweb1:2222", path: "h", defaultPort: 2222) }
        #expect(try HostsFile.parse("web1\nweb1:2222", path: "h").count == 2)
    }

    @Test func loadReadsFileAndReportsMissingOne() throws {
        let dir = try TemporaryDirectory("hostsfile")
        let file = dir.path("hosts.txt")
        try "a rack=1\nb rack=2\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try HostsFile.load(path: file).map(\.address.host) == ["a", "b"])

        let missing = dir.path("nope.txt")
        let error = try #require(throws: DeployError.self) { try HostsFile.load(path: missing) }
        #expect(error.kind == .unreadableFile)
        #expect(error.description.contains(missing))
        #expect(error.description.contains("does not exist"))

        let asDirectory = try #require(throws: DeployError.self) { try HostsFile.load(path: dir.path) }
        #expect(asDirectory.description.contains("is a directory"))
    }

    @Test(arguments: [
        (HostAddress(host: "web1", port: nil), "web1"),
        (HostAddress(host: "web1", port: 2222), "web1:2222"),
        (HostAddress(host: "::1", port: 2222), "[::1]:2222"),
        (HostAddress(host: "::1", port: nil), "::1"),
    ])
    func addressDescription(_ address: HostAddress, _ expected: String) {
        #expect(address.description == expected)
    }
}

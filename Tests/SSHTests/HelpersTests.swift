import Foundation
@testable import SSH
import TestSupport
import Testing

@Suite("Small helpers of the SSH module")
struct HelpersTests {
    @Test func lineSplitterHandlesChunkBoundariesCRLFAndOverlongLines() {
        var splitter = LineSplitter(maximumLineLength: 8)
        var lines: [String] = []
        for chunk in ["ab", "c\r\nde", "f\n\n", "0123456789", "xy"] {
            Array(chunk.utf8).withUnsafeBytes { splitter.append($0) { lines.append($0) } }
        }
        splitter.finish { lines.append($0) }
        #expect(lines == ["abc", "def", "", "01234567", "89xy"])
    }

    @Test func shellQuotingSurvivesTheShell() async throws {
        for word in ["plain", "it's", "a b", "$HOME", "`x`", "\"q\"", "'", ""] {
            let echoed = try await ProcessRunner.output("/bin/sh", ["-c", "printf %s " + shellQuoted(word)])
            #expect(echoed == word)
        }
    }

    @Test func commandLineKeepsEveryArgumentOneWord() async throws {
        #expect(ShellQuoting.commandLine(["df", "-h", "/opt"]) == "df -h /opt")
        let words = ["printf", "[%s]", "a b", "it's", "$HOME", "~", "X=1", "*", ""]
        let line = ShellQuoting.commandLine(words)
        let echoed = try await ProcessRunner.output("/bin/sh", ["-c", line])
        #expect(echoed == "[a b][it's][$HOME][~][X=1][*][]")
    }

    @Test func defaultIdentityFilesAreTheExistingOnesInOpenSSHOrder() throws {
        let home = try TemporaryDirectory("home")
        try FileManager.default.createDirectory(atPath: home.path(".ssh"), withIntermediateDirectories: true)
        #expect(SSHConfiguration.defaultIdentityFiles(home: home.path) == [])
        for name in ["id_rsa", "id_ed25519", "id_dsa"] {
            _ = FileManager.default.createFile(atPath: home.path(".ssh/\(name)"), contents: Data("key".utf8))
        }
        #expect(SSHConfiguration.defaultIdentityFiles(home: home.path) == [home.path(".ssh/id_ed25519"), home.path(".ssh/id_rsa")])
    }

    @Test func errorDescriptionNamesHostStageAndLibssh2() {
        let error = SSHError(host: "db1:22", stage: .hostKey, message: "unknown host key", libssh2Code: -9, libssh2Message: "Timed out")
        #expect(error.description == "db1:22: host key: unknown host key (libssh2: Timed out, code -9)")
        #expect(SSHError(host: "h:2", stage: .upload, message: "m").description == "h:2: upload: m")
    }

    @Test func endpointBracketsIPv6() {
        let v6 = SSHConfiguration(host: "::1", port: 2222, user: "u", knownHostsPath: "/k", identityFiles: [])
        let v4 = SSHConfiguration(host: "10.0.0.1", user: "u", knownHostsPath: "/k", identityFiles: [])
        #expect(v6.endpoint == "[::1]:2222")
        #expect(v4.endpoint == "10.0.0.1:22")
    }
}

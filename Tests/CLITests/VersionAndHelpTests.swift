import Foundation
import Testing
import TestSupport

@Suite("version and help")
struct VersionAndHelpTests {
    @Test("version names swarmdeploy, libssh2 and zlib; the peer reports the same release")
    func versions() async throws {
        let result = try await CLI.swarmdeploy(["version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("swarmdeploy ") == true)
        #expect(lines.contains { $0.hasPrefix("libssh2 1.") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("zlib 1.") }, "\(result.stdout)")

        let peer = try await CLI.peer(["version"])
        #expect(peer.status == 0)
        let release = lines.first!.dropFirst("swarmdeploy ".count)
        #expect(peer.stdout == "swarmdeploy-peer \(release)\n")
    }

    @Test("every subcommand's help has examples", arguments: [["push"], ["status"], ["rollback"], ["exec"], ["pack"], ["simulate"], ["version"], []])
    func helpHasExamples(subcommand: [String]) async throws {
        let result = try await CLI.swarmdeploy(["help"] + subcommand)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"), "\(result.stdout)")
    }

    @Test("the exit codes are documented in --help")
    func exitCodes() async throws {
        let result = try await CLI.swarmdeploy(["--help"])
        for code in ["0 ", "1 ", "2 ", "64"] {
            #expect(result.stdout.contains(code))
        }
        #expect(result.stdout.contains("bad input"))
    }
}

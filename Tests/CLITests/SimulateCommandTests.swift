import Foundation
import Testing
import TestSupport

@Suite("swarmdeploy simulate")
struct SimulateCommandTests {
    @Test("prints completion times against the bound, as text and as JSON")
    func printsCompletionTimesAgainstTheBound() async throws {
        let arguments = ["simulate", "--hosts", "8", "--racks", "2", "--rack-uplink", "20mbit", "--host-rate", "20mbit",
                         "--size", "2MiB", "--peer-selection", "rack", "--seed", "3"]
        let text = try await CLI.swarmdeploy(arguments)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("p99:") && text.stdout.contains("× bound"), "\(text.stdout)")
        #expect(text.stdout.contains("across racks:"), "\(text.stdout)")

        let json = try await CLI.swarmdeploy(arguments + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["completed"] as? Int == 8)
        #expect((object["lower_bound"] as? Double).map { abs($0 - Double(2 << 20) * 8 / 20e6) < 1e-9 } == true)
        #expect((object["racks"] as? [[String: Any]])?.count == 2)
        // The same seed, the same run.
        let again = try await CLI.swarmdeploy(arguments + ["--json"])
        let first = object["p99"] as? Double
        let second = (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["p99"] as? Double
        #expect(first != nil && first == second)
    }

    @Test("bad input names the flag and exits 64", arguments: [
        (["--hosts", "0", "--size", "1MiB"], "--hosts"),
        (["--hosts", "4", "--size", "1MB"], "--size"),
        (["--hosts", "4", "--size", "1MiB", "--freeze", "150%"], "--freeze"),
        (["--hosts", "4", "--size", "1MiB", "--peer-selection", "nearest"], "--peer-selection"),
        (["--hosts", "4", "--size", "1MiB", "--racks", "9"], "--racks"),
    ])
    func badInputNamesTheFlag(arguments: [String], flag: String) async throws {
        let result = try await CLI.swarmdeploy(["simulate"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }
}

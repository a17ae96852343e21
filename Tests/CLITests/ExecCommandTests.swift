import Foundation
import FoundationXML
import Glibc
import TestSupport
import Testing

/// `swarmdeploy exec` against real sshd instances on loopback.
@Suite("swarmdeploy exec")
struct ExecCommandTests {
    /// sshd instances sharing one client key, a hosts file naming them, and
    /// a known_hosts file that trusts them (unless `trusted` is false).
    final class Servers {
        let directory: TemporaryDirectory
        let clientKey: String
        let servers: [OpenSSHServer]
        var hostsFile: String { directory.path("hosts.txt") }
        var knownHosts: String { directory.path("known_hosts") }

        init(count: Int, trusted: Bool = true) async throws {
            directory = try TemporaryDirectory("exec")
            let key = directory.path("client_ed25519")
            try await SSHKeys.generate(at: key, comment: "exec-test")
            clientKey = key
            servers = try await OpenSSHServer.start(count, clientKey: key)
            try servers.map { "127.0.0.1:\($0.port)\n" }.joined().write(toFile: hostsFile, atomically: true, encoding: .utf8)
            let lines = trusted ? try servers.map { try $0.knownHostsLine() }.joined() : ""
            try lines.write(toFile: knownHosts, atomically: true, encoding: .utf8)
        }

        func name(_ index: Int) -> String { "\(OpenSSHServer.user)@127.0.0.1:\(servers[index].port)" }

        /// Runs `swarmdeploy exec` with this fleet's hosts, key and known_hosts,
        /// and an environment without an agent or a real ~/.ssh.
        func exec(_ options: [String], _ command: [String]) async throws -> CommandResult {
            try await CLI.swarmdeploy(
                ["exec", "--on", hostsFile, "--user", OpenSSHServer.user, "-i", clientKey, "--known-hosts", knownHosts]
                    + options + ["--"] + command,
                in: directory.path,
                environment: ["HOME": directory.path, "PATH": "/usr/bin:/bin"]
            )
        }
    }

    @Test("runs on every host, each line prefixed with its host, stdout and stderr apart")
    func successOnThreeHosts() async throws {
        let fleet = try await Servers(count: 3)
        let result = try await fleet.exec([], ["sh", "-c", "echo out; echo err >&2"])
        #expect(result.status == 0, "\(result.stderr)")
        for index in 0..<3 {
            #expect(result.stdout.contains("\(fleet.name(index)): out\n"), "\(result.stdout)")
            #expect(result.stderr.contains("\(fleet.name(index)): err\n"), "\(result.stderr)")
            #expect(!result.stdout.contains("\(fleet.name(index)): err"))
        }
        #expect(result.stderr.contains("3 hosts: 3 ok, 0 failed"))
    }

    @Test("a host's escape sequences are shown escaped, not obeyed, unless --raw")
    func controlCharactersAreEscaped() async throws {
        let fleet = try await Servers(count: 1)
        // Red text, then "cursor up, erase line": a host could hide an earlier line.
        let command = ["printf", "\\033[31mred\\033[0m \\033[1A\\033[2K\\ttab\\n"]
        let escaped = try await fleet.exec([], command)
        #expect(escaped.status == 0, "\(escaped.stderr)")
        #expect(escaped.stdout == "\(fleet.name(0)): \\x1B[31mred\\x1B[0m \\x1B[1A\\x1B[2K\ttab\n", "\(escaped.stdout)")
        let raw = try await fleet.exec(["--raw"], command)
        #expect(raw.stdout == "\(fleet.name(0)): \u{1B}[31mred\u{1B}[0m \u{1B}[1A\u{1B}[2K\ttab\n", "\(raw.stdout)")
    }

    @Test("a nonzero exit on one host fails the run with exit 2 and names that host")
    func oneHostFails() async throws {
        let fleet = try await Servers(count: 3)
        let port = fleet.servers[1].port
        // One word: run by the remote shell as written. SSH_CONNECTION ends with the server's port.
        let result = try await fleet.exec(["--quiet"], [#"[ "${SSH_CONNECTION##* }" != \#(port) ] || exit 3"#])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("3 hosts: 2 ok, 1 failed"), "\(result.stderr)")
        #expect(result.stderr.contains("failed: \(fleet.name(1)): exit status 3"), "\(result.stderr)")
        #expect(!result.stderr.contains("failed: \(fleet.name(0))"))
    }

    @Test("a command that outlives --timeout fails its host")
    func commandTimeout() async throws {
        let fleet = try await Servers(count: 1)
        let result = try await fleet.exec(["--timeout", "1s"], ["sleep", "30"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("failed: \(fleet.name(0)): exec: `sleep 30` did not finish within its timeout"), "\(result.stderr)")
    }

    @Test("a bad hosts-file line is bad input: exit 64, file:line named, no host contacted")
    func badHostsLine() async throws {
        let directory = try TemporaryDirectory("exec-bad")
        let listener = try SilentListener()
        let hostsFile = directory.path("hosts.txt")
        try "127.0.0.1:\(listener.port)\n127.0.0.1:99999\n".write(toFile: hostsFile, atomically: true, encoding: .utf8)
        let result = try await CLI.swarmdeploy(["exec", "--on", hostsFile, "--", "true"], environment: ["HOME": directory.path])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("\(hostsFile):2"), "\(result.stderr)")
        // Nothing waits in the listener's backlog: the first, valid host was not contacted either.
        _ = fcntl(listener.fd, F_SETFL, fcntl(listener.fd, F_GETFL) | O_NONBLOCK)
        let accepted = accept(listener.fd, nil, nil)
        #expect(accepted < 0)
        if accepted >= 0 { close(accepted) }
    }

    @Test("a missing hosts file or command is bad input")
    func missingInput() async throws {
        let directory = try TemporaryDirectory("exec-missing")
        let noHosts = try await CLI.swarmdeploy(["exec", "--", "true"], in: directory.path)
        #expect(noHosts.status == 64)
        #expect(noHosts.stderr.contains("--on"), "\(noHosts.stderr)")
        try "127.0.0.1\n".write(toFile: directory.path("hosts.txt"), atomically: true, encoding: .utf8)
        let noCommand = try await CLI.swarmdeploy(["exec", "--on", directory.path("hosts.txt")])
        #expect(noCommand.status == 64)
        #expect(noCommand.stderr.contains("no command"), "\(noCommand.stderr)")
    }

    @Test("an unknown host key fails strictly, and --accept-new-host-keys records it")
    func unknownHostKey() async throws {
        let fleet = try await Servers(count: 1, trusted: false)
        let fingerprint = try await SSHKeys.fingerprint(ofPublicKey: fleet.servers[0].hostPublicKeyPath)

        let strict = try await fleet.exec([], ["true"])
        #expect(strict.status == 2, "\(strict.stderr)")
        #expect(strict.stderr.contains("failed: \(fleet.name(0)): host key: unknown host key \(fingerprint)"), "\(strict.stderr)")
        #expect(strict.stderr.contains("--accept-new-host-keys"))
        #expect(try String(contentsOfFile: fleet.knownHosts, encoding: .utf8).isEmpty)

        let accepting = try await fleet.exec(["--accept-new-host-keys"], ["true"])
        #expect(accepting.status == 0, "\(accepting.stderr)")
        let recorded = try String(contentsOfFile: fleet.knownHosts, encoding: .utf8)
        let hostKey = try String(contentsOfFile: fleet.servers[0].hostPublicKeyPath, encoding: .utf8).split(separator: " ")
        #expect(recorded.hasPrefix("[127.0.0.1]:\(fleet.servers[0].port) \(hostKey[0]) \(hostKey[1])"), "\(recorded)")

        let strictAgain = try await fleet.exec([], ["true"])
        #expect(strictAgain.status == 0, "\(strictAgain.stderr)")
    }

    @Test("--json reports every host with the same keys, unreachable ones included")
    func jsonReport() async throws {
        let fleet = try await Servers(count: 2)
        let closedPort = try Loopback.freePort()
        try (fleet.servers.map { "127.0.0.1:\($0.port)\n" }.joined() + "127.0.0.1:\(closedPort)\n")
            .write(toFile: fleet.hostsFile, atomically: true, encoding: .utf8)
        let port = fleet.servers[1].port
        let result = try await fleet.exec(
            ["--json"], ["sh", "-c", #"echo hi; [ "${SSH_CONNECTION##* }" != \#(port) ] || exit 5"#]
        )
        #expect(result.status == 2, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(report["ok"] as? Int == 1)
        #expect(report["failed"] as? Int == 2)
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        #expect(hosts.count == 3)
        let keys: Set = ["name", "status", "exit_status", "exit_signal", "seconds", "error", "stdout", "stderr"]
        for host in hosts {
            #expect(Set(host.keys) == keys, "\(host)")
            #expect(host["seconds"] is Double || host["seconds"] is Int)
        }
        #expect(hosts[0]["name"] as? String == fleet.name(0))
        #expect(hosts[0]["status"] as? String == "ok")
        #expect(hosts[0]["exit_status"] as? Int == 0)
        #expect(hosts[0]["error"] is NSNull)
        #expect(hosts[0]["stdout"] as? String == "hi\n")
        #expect(hosts[1]["status"] as? String == "failed")
        #expect(hosts[1]["exit_status"] as? Int == 5)
        #expect(hosts[1]["error"] as? String == "exit status 5")
        #expect(hosts[2]["name"] as? String == "\(OpenSSHServer.user)@127.0.0.1:\(closedPort)")
        #expect(hosts[2]["status"] as? String == "failed")
        #expect(hosts[2]["exit_status"] is NSNull)
        #expect((hosts[2]["error"] as? String)?.hasPrefix("connect:") == true, "\(hosts[2])")
    }

    @Test("--junit writes one test case per host with the elements the JUnit schema requires, failed hosts included")
    func junitReport() async throws {
        let fleet = try await Servers(count: 2)
        let closedPort = try Loopback.freePort()
        try (fleet.servers.map { "127.0.0.1:\($0.port)\n" }.joined() + "127.0.0.1:\(closedPort)\n")
            .write(toFile: fleet.hostsFile, atomically: true, encoding: .utf8)
        let port = fleet.servers[1].port
        let junit = fleet.directory.path("report.xml")
        // Output with markup characters and a control character, which XML 1.0 does not allow.
        let result = try await fleet.exec(
            ["--quiet", "--junit", junit], ["sh", "-c", #"printf 'a<b & "c" \033[31m\n'; [ "${SSH_CONNECTION##* }" != \#(port) ] || exit 5"#]
        )
        #expect(result.status == 2, "\(result.stderr)")
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        for attribute in ["name", "tests", "failures", "errors", "time", "timestamp"] {
            #expect(suite.attribute(forName: attribute) != nil, "testsuite needs \(attribute)")
        }
        #expect(suite.attribute(forName: "tests")?.stringValue == "3")
        #expect(suite.attribute(forName: "failures")?.stringValue == "2")
        let cases = suite.elements(forName: "testcase")
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == [fleet.name(0), fleet.name(1), "\(OpenSSHServer.user)@127.0.0.1:\(closedPort)"])
        for testCase in cases {
            for attribute in ["name", "classname", "time"] {
                #expect(testCase.attribute(forName: attribute) != nil, "testcase needs \(attribute)")
            }
        }
        #expect(cases[0].elements(forName: "failure").isEmpty)
        #expect(cases[0].elements(forName: "system-out").first?.stringValue == "a<b & \"c\" \\x1B[31m")
        let failed = cases[1].elements(forName: "failure").first
        #expect(failed?.attribute(forName: "message")?.stringValue == "exit status 5")
        #expect(failed?.attribute(forName: "type")?.stringValue == "command")
        let unreachable = cases[2].elements(forName: "failure").first
        #expect(unreachable?.attribute(forName: "type")?.stringValue == "connect")
        #expect(unreachable?.attribute(forName: "message")?.stringValue?.hasPrefix("connect:") == true)
    }

    @Test("--junit to a place that cannot be written is bad input, before any host is contacted")
    func junitUnwritable() async throws {
        let fleet = try await Servers(count: 1)
        let result = try await fleet.exec(["--junit", "/nonexistent/dir/report.xml"], ["true"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--junit /nonexistent/dir/report.xml"), "\(result.stderr)")
    }
}

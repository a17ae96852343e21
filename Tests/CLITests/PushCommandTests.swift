import Foundation
import Testing
import TestSupport

@Suite("swarmdeploy push")
struct PushCommandTests {
    let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path

    /// Loopback addresses only: a dry run contacts nothing, but its route lookup must stay local too.
    static let hosts = """
        # test hosts
        deploy@127.0.0.11 rack=r1
        deploy@127.0.0.12 rack=r1
        127.0.0.13:2222   rack=r2
        """

    @Test("--dry-run prints the plan and contacts nothing")
    func dryRunText() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        let result = try await CLI.swarmdeploy(
            ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run", "--link-rate", "100mbit"]
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/opt/webapp"))
        #expect(result.stdout.contains("127.0.0.11"))
        #expect(result.stdout.contains("127.0.0.13"))
        #expect(result.stdout.contains("rack=r1"))
    }

    @Test("--dry-run shows the release layout, the hooks and when hosts switch")
    func dryRunShowsTheRollout() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        let result = try await CLI.swarmdeploy([
            "push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run", "--layout", "releases",
            "--keep-releases", "3", "--canary", "1", "--batch", "50%", "--before-activate", "true", "--health-check", "curl -f localhost",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for expected in [
            "/opt/webapp/releases/<release id>", "/opt/webapp/current", "first the canaries, the first 1 host of the hosts file", "then waves of 50% of the hosts",
            "before-activate hook `true`", "health check `curl -f localhost` (up to 3 attempts", "beyond 3",
        ] {
            #expect(result.stdout.contains(expected), "\(expected): \(result.stdout)")
        }
        let json = try await CLI.swarmdeploy([
            "push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run", "--json", "--activate", "together", "--max-failures", "10%",
        ])
        #expect(json.stdout.contains("\"activation\" : \"together\""), "\(json.stdout)")
        #expect(json.stdout.contains("\"max_failures\" : \"10%\""), "\(json.stdout)")
    }

    @Test("--dry-run --json gives the same plan as JSON, with flags and --to/--on forms")
    func dryRunJSON() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        let result = try await CLI.swarmdeploy(
            ["push", examples, "--to", "/opt/webapp", "--on", temp.path("hosts.txt"), "--dry-run", "--json", "--gzip=1"]
        )
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(plan != nil, "stdout is JSON: \(result.stdout)")
        let text = result.stdout
        #expect(text.contains("\"destination\""))
        #expect(text.contains("/opt/webapp"))
        #expect(text.contains("127.0.0.12"))
        #expect(text.contains("\"compression\" : \"gzip=1\""), "\(text)")
    }

    @Test("--max-rate caps the dry run's estimate; the JSON states the cap and the rate used")
    func dryRunWithARateCap() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        let base = ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run", "--link-rate", "1gbit"]
        let capped = try await CLI.swarmdeploy(base + ["--max-rate", "20mbit"])
        #expect(capped.status == 0, "\(capped.stderr)")
        #expect(capped.stdout.contains("Estimate at 20 Mbit/s per link (transfer.max_rate caps the 1 Gbit/s links)"), "\(capped.stdout)")
        let json = try await CLI.swarmdeploy(base + ["--max-rate", "20mbit", "--json"])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let estimate = try #require(plan["estimate"] as? [String: Any])
        #expect(estimate["link_rate_bits_per_second"] as? Double == 2e7)
        #expect(estimate["max_rate_bits_per_second"] as? Double == 2e7)
        // A cap above the links changes nothing but the record.
        let loose = try await CLI.swarmdeploy(base + ["--max-rate", "10gbit"])
        #expect(loose.stdout.contains("Estimate at 1 Gbit/s per link (transfer.link_rate)"), "\(loose.stdout)")
        let none = try await CLI.swarmdeploy(base + ["--max-rate", "none"])
        #expect(none.status == 0 && none.stdout.contains("Estimate at 1 Gbit/s per link"), "\(none.stdout)")
    }

    /// A push's torrent lives only among its own peers: its automatic pieces may be as small as
    /// 64 KiB (`pack` keeps 256 KiB for torrents other clients may read), and --piece-size wins.
    @Test("push chooses pieces from 64 KiB; --piece-size overrides")
    func pushPieceLength() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        func pieceLength(_ extra: [String]) async throws -> Int? {
            let result = try await CLI.swarmdeploy(
                ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run", "--json"] + extra
            )
            #expect(result.status == 0, "\(result.stderr)")
            let plan = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (plan?["torrent"] as? [String: Any])?["piece_length"] as? Int
        }
        #expect(try await pieceLength([]) == 64 << 10)
        #expect(try await pieceLength(["--piece-size", "1MiB"]) == 1 << 20)
    }

    /// Was: only the real push refused a wildcard; the dry run showed it as the tracker's host.
    @Test("--listen 0.0.0.0 is bad input for the dry run as for the push")
    func wildcardListen() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        for extra in [["--dry-run"], []] {
            let result = try await CLI.swarmdeploy(
                ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--listen", "0.0.0.0"] + extra
            )
            #expect(result.status == 64, "\(extra): \(result.stderr)")
            #expect(result.stderr.contains("--listen 0.0.0.0"))
        }
    }

    /// Was: push read the hosts file as if every host were on port 22.
    @Test("hosts are told apart on the --port they will be reached at")
    func duplicateOnDefaultPort() async throws {
        let temp = try TemporaryDirectory()
        try temp.write("127.0.0.11\n127.0.0.11:2222\n", to: "hosts.txt")
        let args = ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run"]
        #expect(try await CLI.swarmdeploy(args).status == 0)
        let result = try await CLI.swarmdeploy(args + ["--port", "2222"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("duplicates line 1"), "\(result.stderr)")
    }

    /// Was: the help said automatic pieces start at 256 KiB; push's start at 64 KiB.
    @Test("--piece-size help gives push's own automatic floor")
    func pieceSizeHelp() async throws {
        let help = try await CLI.swarmdeploy(["push", "--help"])
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("from 64KiB for push"), "\(help.stdout)")
        #expect(!text.contains("auto picks 256KiB"))
    }

    @Test("--stall-timeout is shown by the dry run and must be above zero")
    func stallTimeout() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        let base = ["push", examples, "to", "/opt/webapp", "on", temp.path("hosts.txt"), "--dry-run"]
        let shown = try await CLI.swarmdeploy(base + ["--stall-timeout", "45s"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("no progress for 45 s"), "\(shown.stdout)")
        let zero = try await CLI.swarmdeploy(base + ["--stall-timeout", "0"])
        #expect(zero.status == 64)
        #expect(zero.stderr.contains("--stall-timeout 0"))
    }

    @Test("the Deployfile supplies what the command line leaves out, and flags win")
    func deployfile() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        try temp.write("""
            source: \(examples)
            destination: /srv/from-deployfile
            hosts: hosts.txt
            """, to: "Deployfile")
        let fromFile = try await CLI.swarmdeploy(["push", "--dry-run"], in: temp.path)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("/srv/from-deployfile"))

        let overridden = try await CLI.swarmdeploy(["push", "to", "/srv/from-flag", "--dry-run"], in: temp.path)
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stdout.contains("/srv/from-flag"))
        #expect(!overridden.stdout.contains("/srv/from-deployfile"))
    }

    @Test("bad input exits 64 with a message naming what is wrong", arguments: [
        // (hosts file contents, extra arguments, text the error must contain)
        ("a.example\nb..example\n", [String](), "hosts.txt:2"),
        ("a.example\na.example\n", [], "hosts.txt:2"),
        ("# nothing\n", [], "hosts.txt"),
        ("a.example\n", ["--gzip=0"], "--gzip=0"),
        ("a.example\n", ["--compress", "zstd=0"], "--compress zstd=0"),
        ("a.example\n", ["--link-rate", "fast"], "--link-rate fast"),
        ("a.example\n", ["--owner", "app:web:x"], "--owner app:web:x"),
        ("a.example\n", ["-F", "/nonexistent/ssh_config"], "/nonexistent/ssh_config: no such file"),
        ("a.example\n", ["--max-failures", "-1"], "--max-failures"),
        // Numbers that once ended in a Swift trap (SIGILL, nothing printed).
        ("a.example\n", ["--timeout", "1e16"], "--timeout 1e16: duration '1e16' is longer than 30 days"),
        ("a.example\n", ["--seed-grace", "1e300"], "--seed-grace 1e300"),
        ("a.example\n", ["--link-rate", "0.000001"], "--link-rate 0.000001"),
        ("a.example\n", ["--max-rate", "100kbit"], "--max-rate 100kbit: rate cap '100kbit' must be between 1 Mbit/s and 10 Tbit/s"),
        // Zero is refused on the command line as in the Deployfile.
        ("a.example\n", ["--timeout", "0"], "--timeout 0: duration '0' must be above zero"),
        ("a.example\n", ["--connect-timeout", "0s"], "--connect-timeout 0s"),
        // Releases and activation.
        ("a.example\n", ["--layout", "capistrano"], "--layout capistrano: layout 'capistrano' is not sibling or releases"),
        ("a.example\n", ["--activate", "later"], "--activate later"),
        ("a.example\n", ["--batch", "0%"], "--batch 0%"),
        ("a.example\n", ["--max-failures", "150%"], "--max-failures 150%"),
        ("a.example\n", ["--keep-releases", "0"], "--keep-releases 0"),
        ("a.example\n", ["--health-check", " "], "--health-check"),
        ("a.example\n", ["--health-timeout", "0"], "--health-timeout 0"),
        ("a.example\nb.example\n", ["--canary", "3"], "--canary 3 asks for more canaries than the 2 hosts"),
    ])
    func badInput(hosts: String, extra: [String], mentioned: String) async throws {
        let temp = try TemporaryDirectory()
        try temp.write(hosts, to: "hosts.txt")
        let result = try await CLI.swarmdeploy(
            ["push", examples, "to", "/opt/app", "on", temp.path("hosts.txt"), "--dry-run"] + extra
        )
        #expect(result.status == 64, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(mentioned), "\(result.stderr)")
    }

    @Test("the push grammar is checked before anything else", arguments: [
        (["push", "dir", "to"], "'to' needs a value"),
        (["push", "dir", "to", "/a", "to", "/b", "on", "h"], "given twice"),
        (["push", "dir", "into", "/a"], "unexpected 'into'"),
        (["push", "dir", "to", "relative/path", "on", "h"], "absolute"),
        (["push", "to", "/a", "on", "h"], "no directory to push"),
    ])
    func grammar(arguments: [String], mentioned: String) async throws {
        let temp = try TemporaryDirectory()
        let result = try await CLI.swarmdeploy(arguments, in: temp.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(mentioned), "\(result.stderr)")
    }

    @Test("a Deployfile duration beyond 30 days is named with its file and line, not a trap")
    func hugeDeployfileDuration() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        try temp.write("source: \(examples)\ndestination: /srv/x\nhosts: hosts.txt\ndeploy:\n  timeout: 1e300\n", to: "Deployfile")
        let result = try await CLI.swarmdeploy(["push", "--dry-run"], in: temp.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("Deployfile:5"), "\(result.stderr)")
        #expect(result.stderr.contains("longer than 30 days"), "\(result.stderr)")
    }

    @Test("an unknown Deployfile key is named, with the file")
    func unknownDeployfileKey() async throws {
        let temp = try TemporaryDirectory()
        try temp.write(Self.hosts, to: "hosts.txt")
        try temp.write("destination: /opt/app\nseed_grace: 10s\n", to: "deploy.yml")
        let result = try await CLI.swarmdeploy(
            ["push", examples, "on", temp.path("hosts.txt"), "--deployfile", temp.path("deploy.yml"), "--dry-run"]
        )
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("seed_grace"), "\(result.stderr)")
        #expect(result.stderr.contains("deploy.yml"), "\(result.stderr)")
    }

    @Test("hosts that refuse connections each fail at connect; the report names them and the exit code is 2")
    func refusedHosts() async throws {
        let temp = try TemporaryDirectory()
        // Closed loopback ports: every connection is refused at once, nothing else is reached.
        let ports = try (0..<3).map { _ in try Loopback.freePort() }
        try temp.write(ports.map { "root@127.0.0.1:\($0)" }.joined(separator: "\n"), to: "hosts.txt")
        let result = try await CLI.swarmdeploy([
            "push", examples, "to", "/opt/app", "on", temp.path("hosts.txt"),
            "--known-hosts", temp.path("known_hosts"), "--json",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("3 hosts failed"), "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let hosts = try #require(report["hosts"] as? [[String: Any]])
        #expect(hosts.map { $0["name"] as? String } == ports.map { "root@127.0.0.1:\($0)" })
        #expect(hosts.allSatisfy { $0["status"] as? String == "failed" && $0["stage"] as? String == "connect" })
        #expect(hosts.allSatisfy { ($0["error"] as? String ?? "").contains("connect") })
        #expect(report["result"] as? String == "failed")
    }
}

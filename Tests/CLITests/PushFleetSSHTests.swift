import Foundation
import Testing
import TestSupport

/// Fleets as they are set up in practice, on the namespace sandbox: hosts named only in an
/// ssh_config, reachable over SSH only through a bastion (`ProxyJump`), logged into as an
/// unprivileged user who escalates with sudo.
@Suite(
    "swarmdeploy through a bastion, as a sudo user, on the namespace sandbox", .sandbox, .serialized,
    PushFleet.Scope(hosts: 4, unreachable: 0, options: ["--rate", "500mbit", "--disk", "200m", "--user", "deploy", "--bastion"], namePrefix: "sdb")
)
struct PushFleetSSHTests {
    static let hosts = 1...4

    /// push's arguments for the hosts by name, through the sandbox's ssh_config.
    static func throughBastion(_ fleet: PushFleet, _ extra: [String]) -> [String] {
        ["-F", fleet.sandbox.dir + "/ssh_config"] + extra
    }

    func push(_ fleet: PushFleet, _ source: String, to destination: String, _ extra: [String]) async throws -> CommandResult {
        try await fleet.push(
            source, to: destination, hostsFile: fleet.sandbox.dir + "/hosts-by-name.txt", extra: Self.throughBastion(fleet, extra))
    }

    /// Logins the bastion's sshd accepted so far.
    func bastionLogins(_ fleet: PushFleet) throws -> Int {
        let log = try String(contentsOfFile: fleet.sandbox.dir + "/hosts/h0/sshd.log", encoding: .utf8)
        return log.split(separator: "\n").filter { $0.contains("Accepted publickey") }.count
    }

    @Test("hosts named in an ssh_config behind a bastion: the push succeeds over one bastion connection")
    func oneBastionConnectionCarriesTheFleet() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("bastion")
        _ = try temp.write("through the bastion\n", to: "site/index.html")

        // The controller cannot reach the hosts' SSH port itself: only the bastion can.
        let direct = try await fleet.push(temp.path("site"), to: "/srv/direct", extra: ["--connect-timeout", "3s", "--sudo"])
        #expect(direct.status != 0)
        #expect(try direct.report().hosts.allSatisfy { $0.status == "failed" && $0.stage == "connect" })

        let before = try bastionLogins(fleet)
        // As the login user, without sudo: the peer runs unprivileged (into the user's home).
        let result = try await push(fleet, temp.path("site"), to: "/home/deploy/site", [])
        let report = try result.report()
        #expect(result.status == 0, "\(report.hosts.map { $0.error ?? "" })")
        #expect(report.hosts.map(\.name) == Self.hosts.map { "deploy@h\($0):22" })
        #expect(try bastionLogins(fleet) == before + 1, "the bastion should carry one SSH connection, not one per host")
        for index in Self.hosts {
            let text = try await fleet.onHost(index, "cat /home/deploy/site/index.html; stat -c %U /home/deploy/site").stdout
            #expect(text == "through the bastion\ndeploy\n", "h\(index)")
        }
    }

    @Test("--sudo installs into a root-owned destination, --owner gives the tree away, and a host without sudo rights is named")
    func sudoAndOwner() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("sudo")
        _ = try temp.write("v1\n", to: "v1/VERSION")
        _ = try temp.write("v2\n", to: "v2/VERSION")

        // /srv belongs to root: the login user alone cannot write there.
        let unprivileged = try await push(fleet, temp.path("v1"), to: "/srv/app", [])
        #expect(unprivileged.status != 0)
        #expect(try unprivileged.report().hosts.allSatisfy { $0.error?.contains("Permission denied") == true })

        let asRoot = try await push(fleet, temp.path("v1"), to: "/srv/app", ["--sudo", "--owner", "deploy:deploy"])
        #expect(asRoot.status == 0, "\(asRoot.stderr)")
        for index in Self.hosts {
            let owners = try await fleet.onHost(index, "stat -c '%U:%G' /srv/app /srv/app/VERSION; stat -c %U /srv").stdout
            #expect(owners == "deploy:deploy\ndeploy:deploy\nroot\n", "h\(index)")
        }

        // Host 2 loses its sudo rights: it fails, named, with the remedy; the others switch.
        let revoke = try await fleet.onHost(2, "rm /etc/sudoers.d/sandbox-user")
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let partial = try await push(fleet, temp.path("v2"), to: "/srv/app", ["--sudo", "--max-failures", "1"])
        #expect(partial.status == 3, "\(partial.stderr)")
        let hosts = try partial.report().hosts
        #expect(hosts.map(\.status) == ["succeeded", "failed", "succeeded", "succeeded"])
        let error = hosts[1].error ?? ""
        #expect(error.contains("sudo would not start the peer as root") && error.contains("NOPASSWD"), "\(error)")
        #expect(try await fleet.onHost(2, "cat /srv/app/VERSION").stdout == "v1\n", "the failed host kept its tree")
        #expect(try await fleet.onHost(3, "cat /srv/app/VERSION").stdout == "v2\n")

        // Status and exec go through sudo and the bastion too.
        let status = try await fleet.sandbox.controller([
            CLI.swarmdeployPath, "exec", "--on", fleet.sandbox.dir + "/hosts-by-name.txt", "--sudo",
            "-F", fleet.sandbox.dir + "/ssh_config", "--", "id -un",
        ])
        #expect(status.status == 2, "\(status.stderr)")
        #expect(status.stdout.contains("deploy@h1:22: root"), "\(status.stdout)")
    }
}

import DeployConfiguration
import Fleet
import Foundation
import SSH
import Testing
import TestSupport

@Suite("Resolving hosts-file entries into SSH targets")
struct FleetHostsTests {
    static func settings(_ change: (inout PushSettings) -> Void = { _ in }) -> PushSettings {
        var settings = PushSettings.defaults
        settings.user = "deploy"
        settings.port = 2200
        settings.knownHosts = "~/.ssh/known_hosts"
        // This machine's own ssh_config must not decide the results.
        settings.sshConfig = "none"
        change(&settings)
        return settings
    }

    static let entries = try! HostsFile.parse(
        """
        web1
        admin@web2:2222 rack=r2
        [fd00::5]:22
        fd00::6
        """,
        path: "hosts.txt"
    )

    @Test func theHostLineWinsOverSettingsForUserAndPort() throws {
        let hosts = try Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["HOME": "/home/me"])
        #expect(hosts.map(\.configuration.user) == ["deploy", "admin", "deploy", "deploy"])
        #expect(hosts.map(\.configuration.port) == [2200, 2222, 22, 2200])
        #expect(hosts.map(\.configuration.host) == ["web1", "web2", "fd00::5", "fd00::6"])
        #expect(hosts.map(\.name) == ["deploy@web1:2200", "admin@web2:2222", "deploy@[fd00::5]:22", "deploy@[fd00::6]:2200"])
        #expect(hosts[1].entry.labels == ["rack": "r2"])
        #expect(hosts.map(\.entry.line) == [1, 2, 3, 4])
    }

    @Test func pathsHaveTheirTildeExpandedAgainstHOME() throws {
        let settings = Self.settings { $0.identities = ["~/.ssh/deploy", "/keys/other", "relative/key"] }
        let host = try Fleet.hosts(Self.entries, settings: settings, environment: ["HOME": "/home/me"])[0]
        #expect(host.configuration.identityFiles == ["/home/me/.ssh/deploy", "/keys/other", "relative/key"])
        #expect(host.configuration.knownHostsPath == "/home/me/.ssh/known_hosts")
    }

    @Test func withoutIdentitiesTheUsualKeysThatExistAreTried() throws {
        let directory = try TemporaryDirectory("fleet-home")
        let home = directory.path
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        for name in ["id_rsa", "id_ed25519"] {
            #expect(FileManager.default.createFile(atPath: home + "/.ssh/" + name, contents: Data("key".utf8)))
        }
        let host = try Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["HOME": home])[0]
        #expect(host.configuration.identityFiles == [home + "/.ssh/id_ed25519", home + "/.ssh/id_rsa"])
    }

    @Test func hostKeysAreCheckedStrictlyUnlessNewOnesAreAccepted() throws {
        let strict = try Fleet.hosts(Self.entries, settings: Self.settings(), environment: [:])
        #expect(strict.allSatisfy { $0.configuration.hostKeyPolicy == .strict })
        let acceptNew = try Fleet.hosts(Self.entries, settings: Self.settings { $0.acceptNewHostKeys = true }, environment: [:])
        #expect(acceptNew.allSatisfy { $0.configuration.hostKeyPolicy == .acceptNew })
    }

    @Test func theAgentIsTheOneInSSH_AUTH_SOCK() throws {
        let withAgent = try Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["SSH_AUTH_SOCK": "/tmp/agent.sock"])
        #expect(withAgent[0].configuration.agent == .socket("/tmp/agent.sock"))
        for environment in [[:], ["SSH_AUTH_SOCK": ""]] {
            let without = try Fleet.hosts(Self.entries, settings: Self.settings(), environment: environment)
            #expect(without[0].configuration.agent == .disabled)
        }
    }

    @Test func theConnectTimeoutComesFromTheSettings() throws {
        let hosts = try Fleet.hosts(Self.entries, settings: Self.settings { $0.connectTimeout = .milliseconds(2500) }, environment: [:])
        #expect(hosts[0].configuration.connectTimeout == .milliseconds(2500))
    }

    /// An ssh_config under a temporary HOME, and settings that read it.
    static func withConfig(_ text: String, _ change: (inout PushSettings) -> Void = { _ in }) throws -> (PushSettings, TemporaryDirectory) {
        let home = try TemporaryDirectory("fleet-ssh-config")
        try home.write(text, to: ".ssh/config")
        try home.write("key", to: "keys/config-key")
        var settings = PushSettings.defaults
        settings.user = "me"
        settings.port = 22
        settings.sshConfig = home.path(".ssh/config")
        change(&settings)
        return (settings, home)
    }

    @Test func theHostLineThenGivenSettingsThenTheSSHConfigThenDefaults() throws {
        let text = """
            Host web*
              HostName %h.dc1
              User cfguser
              Port 2022
              IdentityFile ~/keys/config-key
              UserKnownHostsFile ~/known
              StrictHostKeyChecking accept-new
            """
        let entries = try HostsFile.parse("web1\nadmin@web2:2222\nother\n", path: "hosts.txt")
        let (plain, home) = try Self.withConfig(text)
        let hosts = try Fleet.hosts(entries, settings: plain, environment: ["HOME": home.path])
        #expect(hosts.map(\.configuration.host) == ["web1.dc1", "web2.dc1", "other"])
        #expect(hosts.map(\.configuration.user) == ["cfguser", "admin", "me"])
        #expect(hosts.map(\.configuration.port) == [2022, 2222, 22])
        #expect(hosts.map(\.name) == ["cfguser@web1:2022", "admin@web2:2222", "me@other:22"])
        #expect(hosts[0].configuration.identityFiles == [home.path("keys/config-key")])
        #expect(hosts[0].configuration.knownHostsPath == home.path("known"))
        #expect(hosts[0].configuration.hostKeyPolicy == .acceptNew)
        #expect(hosts[2].configuration.hostKeyPolicy == .strict)

        // A flag or the Deployfile beats the ssh_config, as ssh's command line does.
        let (given, givenHome) = try Self.withConfig(text) { settings in
            settings.user = "flaguser"
            settings.port = 2200
            settings.identities = ["/keys/flag"]
            settings.knownHosts = "/flag/known_hosts"
            settings.sshGiven = [.user, .port, .identities, .knownHosts]
        }
        let overridden = try Fleet.hosts(entries, settings: given, environment: ["HOME": givenHome.path])
        #expect(overridden.map(\.configuration.user) == ["flaguser", "admin", "flaguser"])
        #expect(overridden.map(\.configuration.port) == [2200, 2222, 2200])
        #expect(overridden[0].configuration.identityFiles == ["/keys/flag", givenHome.path("keys/config-key")])
        #expect(overridden[0].configuration.knownHostsPath == "/flag/known_hosts")
    }

    @Test func hostsBehindOneBastionShareOneJumpHost() throws {
        let (settings, home) = try Self.withConfig("""
            Host bastion
              HostName 10.1.0.2
              User ops
              Port 2022
            Host app* db*
              ProxyJump bastion
            Host db*
              ProxyJump other@10.9.9.9
            """)
        let entries = try HostsFile.parse("app1\napp2\ndb1\nplain\n", path: "hosts.txt")
        let hosts = try Fleet.hosts(entries, settings: settings, environment: ["HOME": home.path])
        let jumps = hosts.map(\.configuration.jump)
        #expect(jumps[0]?.configuration.host == "10.1.0.2")
        #expect(jumps[0]?.configuration.user == "ops")
        #expect(jumps[0]?.configuration.port == 2022)
        #expect(jumps[0] === jumps[1])
        // The first ProxyJump that applies wins: db1 goes through the bastion too.
        #expect(jumps[2] === jumps[0])
        #expect(jumps[3] == nil)
    }

    @Test func anUnusableSSHConfigIsAnErrorNamingTheLine() throws {
        let (settings, home) = try Self.withConfig("Host *\n  ProxyJump a,b\n")
        let entries = try HostsFile.parse("web1\n", path: "hosts.txt")
        #expect {
            try Fleet.hosts(entries, settings: settings, environment: ["HOME": home.path])
        } throws: { error in
            "\(error)".contains(":2: ProxyJump a,b names more than one jump host")
        }
    }
}

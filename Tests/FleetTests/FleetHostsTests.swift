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

    @Test func theHostLineWinsOverSettingsForUserAndPort() {
        let hosts = Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["HOME": "/home/me"])
        #expect(hosts.map(\.configuration.user) == ["deploy", "admin", "deploy", "deploy"])
        #expect(hosts.map(\.configuration.port) == [2200, 2222, 22, 2200])
        #expect(hosts.map(\.configuration.host) == ["web1", "web2", "fd00::5", "fd00::6"])
        #expect(hosts.map(\.name) == ["deploy@web1:2200", "admin@web2:2222", "deploy@[fd00::5]:22", "deploy@[fd00::6]:2200"])
        #expect(hosts[1].entry.labels == ["rack": "r2"])
        #expect(hosts.map(\.entry.line) == [1, 2, 3, 4])
    }

    @Test func pathsHaveTheirTildeExpandedAgainstHOME() {
        let settings = Self.settings { $0.identities = ["~/.ssh/deploy", "/keys/other", "relative/key"] }
        let host = Fleet.hosts(Self.entries, settings: settings, environment: ["HOME": "/home/me"])[0]
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
        let host = Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["HOME": home])[0]
        #expect(host.configuration.identityFiles == [home + "/.ssh/id_ed25519", home + "/.ssh/id_rsa"])
    }

    @Test func hostKeysAreCheckedStrictlyUnlessNewOnesAreAccepted() {
        let strict = Fleet.hosts(Self.entries, settings: Self.settings(), environment: [:])
        #expect(strict.allSatisfy { $0.configuration.hostKeyPolicy == .strict })
        let acceptNew = Fleet.hosts(Self.entries, settings: Self.settings { $0.acceptNewHostKeys = true }, environment: [:])
        #expect(acceptNew.allSatisfy { $0.configuration.hostKeyPolicy == .acceptNew })
    }

    @Test func theAgentIsTheOneInSSH_AUTH_SOCK() {
        let withAgent = Fleet.hosts(Self.entries, settings: Self.settings(), environment: ["SSH_AUTH_SOCK": "/tmp/agent.sock"])
        #expect(withAgent[0].configuration.agent == .socket("/tmp/agent.sock"))
        for environment in [[:], ["SSH_AUTH_SOCK": ""]] {
            let without = Fleet.hosts(Self.entries, settings: Self.settings(), environment: environment)
            #expect(without[0].configuration.agent == .disabled)
        }
    }

    @Test func theConnectTimeoutComesFromTheSettings() {
        let hosts = Fleet.hosts(Self.entries, settings: Self.settings { $0.connectTimeout = .milliseconds(2500) }, environment: [:])
        #expect(hosts[0].configuration.connectTimeout == .milliseconds(2500))
    }
}

import Foundation
import SSH
import Testing
import TestSupport

/// The ssh_config reader against OpenSSH itself: for each configuration and host, what
/// `ssh -G -F FILE HOST` prints (OpenSSH's resolved settings) is what `resolve` finds.
@Suite("Reading OpenSSH client configurations")
struct SSHClientConfigTests {
    /// Configurations that exercise patterns, negation, first-match-wins, IdentityFile adding
    /// up, Include (absolute, with a glob, inside a Host block) and Match all. `INCLUDED` is
    /// replaced by the directory of the included files.
    static let configurations: [(name: String, text: String, hosts: [String])] = [
        ("patterns", """
            Host web* !web3
              User alice
              Port 2201
            Host web?
              HostName %h.example.net
              IdentityFile ~/.ssh/web_%r
            Host *
              IdentityFile /keys/all
              User fallback
              StrictHostKeyChecking accept-new
            """, ["web1", "web3", "web12", "WEB2", "db1"]),
        ("first value wins", """
            # Specific blocks first, defaults last, as ssh_config(5) advises.
            Host db1
              Port=2222
              User "db admin"
            Host db*
              Port 2200
              User dbuser
              ProxyJump jump@bastion.example.net:2022
              UserKnownHostsFile /etc/known/db /etc/known/db2
            Host *
              Port 22
              ProxyJump none
              StrictHostKeyChecking no
            """, ["db1", "db2", "web1"]),
        ("include", """
            Host app*
              Include INCLUDED/app-*.conf
            Include INCLUDED/all.conf
            Host *
              User last
            """, ["app1", "app2", "other"]),
        ("match all", """
            Host one
              User first
            Match all
              Port 2022
              User everyone
            """, ["one", "two"]),
    ]

    static let includedFiles = [
        "app-1.conf": "User appuser\nHost app2\n  Port 2002\n",
        "app-2.conf": "IdentityFile /keys/app\n",
        "all.conf": "HostName %h.internal\nHost other\n  User otheruser\n",
    ]

    /// What `ssh -G` prints for the keywords compared.
    static func openSSH(_ file: String, _ host: String) async throws -> [String: [String]] {
        let result = try await ProcessRunner.run("ssh", ["-G", "-F", file, host])
        #expect(result.status == 0, "\(result.stderr)")
        var values: [String: [String]] = [:]
        for line in result.stdout.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { continue }
            values[words[0], default: []].append(words[1])
        }
        return values
    }

    @Test("resolve agrees with ssh -G", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh")),
          arguments: configurations.indices)
    func agreesWithOpenSSH(_ index: Int) async throws {
        let (name, text, hosts) = Self.configurations[index]
        let temp = try TemporaryDirectory("ssh-config")
        for (file, contents) in Self.includedFiles { try temp.write(contents, to: "included/\(file)") }
        let path = try temp.write(text.replacingOccurrences(of: "INCLUDED", with: temp.path("included")), to: "config")
        let config = try SSHClientConfig.load(.file(path), home: "/home/nobody")

        for host in hosts {
            let ours = try config.resolve(host)
            let theirs = try await Self.openSSH(path, host)
            let context = "\(name), host \(host)"
            #expect(theirs["hostname"] == [ours.hostName ?? host.lowercased()], "\(context)")
            if let user = ours.user { #expect(theirs["user"] == [user], "\(context)") }
            #expect(theirs["port"] == [String(ours.port ?? 22)], "\(context)")
            if !ours.identityFiles.isEmpty { #expect(theirs["identityfile"] == ours.identityFiles, "\(context)") }
            #expect(theirs["proxyjump"] == ours.proxyJump.map { [$0] }, "\(context)")
            if let files = ours.userKnownHostsFiles { #expect(theirs["userknownhostsfile"] == [files.joined(separator: " ")], "\(context)") }
            if let mode = ours.strictHostKeyChecking {
                let printed = ["yes": "true", "no": "false", "off": "false"][mode] ?? mode
                #expect(theirs["stricthostkeychecking"] == [printed], "\(context)")
            }
        }
    }

    @Test func includeIsRelativeToTheUsersSSHDirectory() throws {
        let temp = try TemporaryDirectory("ssh-home")
        try temp.write("Include conf.d/*\nHost *\n  User late\n", to: ".ssh/config")
        try temp.write("Host box\n  HostName 10.0.0.5\n  User early\n", to: ".ssh/conf.d/10-box")
        let config = try SSHClientConfig.load(.userDefault, home: temp.path)
        let box = try config.resolve("box")
        #expect(box.hostName == "10.0.0.5")
        #expect(box.user == "early")
        #expect(try config.resolve("elsewhere").user == "late")
    }

    @Test func aMissingDefaultFileIsNoConfigurationButAMissingGivenOneIsAnError() throws {
        let temp = try TemporaryDirectory("ssh-home")
        #expect(try SSHClientConfig.load(.userDefault, home: temp.path).resolve("x").user == nil || FileManager.default.fileExists(atPath: "/etc/ssh/ssh_config"))
        #expect(throws: SSHConfigError.self) { try SSHClientConfig.load(.file(temp.path("nope")), home: temp.path) }
        #expect(try SSHClientConfig.load(.none, home: temp.path) == .empty)
    }

    @Test func unusableLinesNameTheirFileAndLine() throws {
        let cases: [(String, String)] = [
            ("Host a\n  Port 70000\n", "cfg:2: Port 70000"),
            ("Host a\n  ProxyCommand nc %h %p\n", "cfg:2: ProxyCommand"),
            ("Host a\n  User \"open\n", "cfg:2: a quote is not closed"),
            ("Host a\n  StrictHostKeyChecking maybe\n", "cfg:2: StrictHostKeyChecking maybe"),
            ("Host\n", "cfg:1: Host needs"),
        ]
        for (text, expected) in cases {
            do {
                _ = try SSHClientConfig.parse(text, file: "cfg").resolve("a")
                Issue.record("no error for \(text)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test func otherMatchBlocksAreSkippedWithANotice() throws {
        let config = try SSHClientConfig.parse("Match user bob\n  Port 1\nHost *\n  Port 2\n", file: "cfg")
        #expect(config.notices.count == 1)
        #expect(config.notices.first?.hasPrefix("cfg:1: 'Match user bob' is not supported") == true)
        #expect(try config.resolve("x").port == 2)
    }

    @Test func patternsMatchLikeOpenSSH() {
        let table: [(String, String, Bool)] = [
            ("*", "anything", true), ("web?", "web1", true), ("web?", "web12", false),
            ("*.prod", "db.prod", true), ("*.prod", "db.prod.x", false), ("WEB*", "web1", false),
            ("*a*a*a*b", String(repeating: "a", count: 200), false), ("10.0.*", "10.0.3.4", true),
        ]
        for (pattern, host, expected) in table {
            #expect(HostPattern(pattern).matches(host) == expected, "\(pattern) \(host)")
        }
        #expect(HostPattern.lineMatches([HostPattern("web*"), HostPattern("!web3")], "web3") == false)
        #expect(HostPattern.lineMatches([HostPattern("!web3")], "web1") == false)
    }

    @Test func tokensExpandOnceTheFinalValuesAreKnown() throws {
        let tokens = SSHConfigTokens(home: "/home/me", localUser: "me", hostName: "10.0.0.1", alias: "web1", remoteUser: "deploy", port: 2200)
        #expect(try tokens.expand("~/.ssh/%r@%h:%p").get() == "/home/me/.ssh/deploy@10.0.0.1:2200")
        #expect(try tokens.expand("%d/%u/%n/100%%").get() == "/home/me/me/web1/100%")
        #expect(throws: SSHConfigError.self) { try tokens.expand("%C").get() }
    }

    @Test func jumpSpecsParse() throws {
        #expect(try JumpSpec.parse("bastion").get() == JumpSpec(user: nil, host: "bastion", port: nil))
        #expect(try JumpSpec.parse("ops@bastion:2022").get() == JumpSpec(user: "ops", host: "bastion", port: 2022))
        #expect(try JumpSpec.parse("ssh://ops@[fd00::1]:22").get() == JumpSpec(user: "ops", host: "fd00::1", port: 22))
        #expect(try JumpSpec.parse("fd00::1").get() == JumpSpec(user: nil, host: "fd00::1", port: nil))
        for bad in ["a,b", "@host", "host:port", "host:0", "[fd00::1"] {
            #expect(throws: SSHConfigError.self, "\(bad)") { try JumpSpec.parse(bad).get() }
        }
    }
}

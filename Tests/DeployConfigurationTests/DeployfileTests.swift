import Foundation
import Testing
import Archive
@testable import DeployConfiguration

@Suite struct DeployfileTests {
    static let everything = """
        source: out/site
        destination: /srv/www/
        hosts: ../inventory/hosts.txt
        ssh:
          user: release
          port: 2200
          identity: [~/.ssh/deploy_ed25519, keys/ci_rsa]
          known_hosts: /etc/ssh/ssh_known_hosts
          accept_new_host_keys: true
          parallel: 200
          connect_timeout: 1m30s
        transfer:
          piece_size: 4MiB
          gzip: 9
          reuse: false
          trackers:
            - http://tracker.example.com:6969/announce
          listen: 10.1.2.3
          link_rate: 10gbit
          max_rate: 250mbit
          seed_grace: 0
        deploy:
          timeout: 1h
          max_failures: 3
          keep_previous: false
        """

    @Test func everyKeyIsApplied() throws {
        let file = try Deployfile.parse(Self.everything, path: "/etc/app/Deployfile")
        var settings = PushSettings.defaults
        settings.apply(file)
        let home = PathResolution.homeDirectory
        #expect(settings.source == "/etc/app/out/site")
        #expect(settings.destination == "/srv/www")
        #expect(settings.hostsFile == "/etc/inventory/hosts.txt")
        #expect(settings.user == "release")
        #expect(settings.port == 2200)
        #expect(settings.identities == [PathResolution.normalize(home + "/.ssh/deploy_ed25519"), "/etc/app/keys/ci_rsa"])
        #expect(settings.knownHosts == "/etc/ssh/ssh_known_hosts")
        #expect(settings.acceptNewHostKeys == true)
        #expect(settings.sshParallel == 200)
        #expect(settings.connectTimeout == .seconds(90))
        #expect(settings.pieceSize == 4 << 20)
        #expect(settings.compression == .gzip(level: 9))
        #expect(settings.reuse == false)
        #expect(settings.trackers == ["http://tracker.example.com:6969/announce"])
        #expect(settings.listen == "10.1.2.3")
        #expect(settings.linkRateBitsPerSecond == 1e10)
        #expect(settings.maxRateBitsPerSecond == 2.5e8)
        #expect(settings.effectiveRateBitsPerSecond == 2.5e8)
        #expect(settings.seedGrace == .seconds(0))
        #expect(settings.timeout == .seconds(3600))
        #expect(settings.maxFailures == .hosts(3))
        #expect(settings.keepPrevious == false)
    }

    @Test func emptyAndNullFilesKeepDefaults() throws {
        for yaml in ["", "# nothing here\n", "~", "ssh:\ntransfer:\n  gzip:\n", "source: null"] {
            var settings = PushSettings.defaults
            settings.apply(try Deployfile.parse(yaml, path: "Deployfile"))
            #expect(settings == PushSettings.defaults, "\(yaml)")
        }
    }

    @Test func defaultsAreTheDocumentedOnes() {
        let defaults = PushSettings.defaults
        #expect(defaults.source == nil && defaults.destination == nil && defaults.hostsFile == nil)
        #expect(defaults.port == 22)
        #expect(defaults.identities.isEmpty)
        #expect(defaults.knownHosts == PathResolution.normalize(PathResolution.homeDirectory + "/.ssh/known_hosts"))
        #expect(defaults.acceptNewHostKeys == false)
        #expect(defaults.sshParallel == 64)
        #expect(defaults.connectTimeout == .seconds(10))
        #expect(defaults.pieceSize == nil)
        #expect(defaults.compression == .none)
        #expect(defaults.trackers.isEmpty)
        #expect(defaults.listen == nil)
        #expect(defaults.linkRateBitsPerSecond == 1e9)
        #expect(defaults.seedGrace == .seconds(30))
        #expect(defaults.timeout == .seconds(600))
        #expect(defaults.maxFailures == .hosts(0))
        #expect(defaults.keepPrevious == true)
        #expect(!defaults.user.isEmpty)
    }

    @Test(arguments: [
        ("hosts.txt", "/etc/deploy/Deployfile", "/etc/deploy/hosts.txt"),
        ("./hosts.txt", "/etc/deploy/Deployfile", "/etc/deploy/hosts.txt"),
        ("../shared/hosts", "/etc/deploy/Deployfile", "/etc/shared/hosts"),
        ("/var/hosts", "/etc/deploy/Deployfile", "/var/hosts"),
        ("hosts.txt", "Deployfile", "hosts.txt"),
        ("hosts.txt", "conf/Deployfile", "conf/hosts.txt"),
        ("../hosts.txt", "conf/Deployfile", "hosts.txt"),
        ("../hosts.txt", "Deployfile", "../hosts.txt"),
    ])
    func relativeHostsPathResolvesAgainstDeployfile(_ written: String, _ deployfile: String, _ resolved: String) throws {
        var settings = PushSettings.defaults
        settings.apply(try Deployfile.parse("hosts: \(written)", path: deployfile))
        #expect(settings.hostsFile == resolved)
    }

    @Test func tildeExpandsToHome() throws {
        var settings = PushSettings.defaults
        settings.apply(try Deployfile.parse("hosts: ~/inventory/hosts", path: "/etc/Deployfile"))
        #expect(settings.hostsFile == PathResolution.normalize(PathResolution.homeDirectory + "/inventory/hosts"))
    }

    @Test(arguments: [
        ("gzip: true", .gzip(level: 1)), ("gzip: false", .none), ("gzip: 9", .gzip(level: 9)), ("gzip: yes", .gzip(level: 1)),
        ("compress: zstd", .zstd(level: 3)), ("compress: zstd=1", .zstd(level: 1)), ("compress: gzip:6", .gzip(level: 6)),
        ("compress: none", .none),
    ] as [(String, ArchiveCompression)])
    func compressionForms(_ line: String, _ compression: ArchiveCompression) throws {
        var settings = PushSettings.defaults
        settings.compression = .gzip(level: 3)
        settings.apply(try Deployfile.parse("transfer:\n  \(line)", path: "D"))
        #expect(settings.compression == compression)
    }

    @Test func compressAndGzipTogetherAreRefused() {
        #expect(throws: DeployError.self) { try Deployfile.parse("transfer:\n  gzip: 1\n  compress: zstd", path: "D") }
        #expect(throws: DeployError.self) { try Deployfile.parse("transfer:\n  compress: zstd=30", path: "D") }
        #expect(throws: DeployError.self) { try Deployfile.parse("transfer:\n  compress: brotli", path: "D") }
        #expect(throws: DeployError.self) { try Deployfile.parse("transfer:\n  compress: none=3", path: "D") }
    }

    @Test(arguments: [
        ("30", 30.0), ("2.5", 2.5), ("30s", 30), ("\"45\"", 45), ("1h", 3600), ("1m30s", 90),
    ])
    func durationForms(_ value: String, _ seconds: Double) throws {
        let file = try Deployfile.parse("ssh:\n  connect_timeout: \(value)", path: "D")
        #expect(file.connectTimeout == .seconds(seconds))
    }

    @Test func singleStringIsAListOfOne() throws {
        let file = try Deployfile.parse("ssh:\n  identity: /keys/a\ntransfer:\n  trackers: http://t/announce", path: "D")
        #expect(file.identities == ["/keys/a"])
        #expect(file.trackers == ["http://t/announce"])
    }

    @Test func autoValuesOverrideEarlierChoices() throws {
        var settings = PushSettings.defaults
        settings.pieceSize = 1 << 20
        settings.listen = "10.0.0.1"
        settings.apply(try Deployfile.parse("transfer:\n  piece_size: auto\n  listen: auto", path: "D"))
        #expect(settings.pieceSize == nil)
        #expect(settings.listen == nil)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let yaml: String
        let kind: DeployError.Kind
        let line: Int?
        let mentions: [String]
        var testDescription: String { yaml.debugDescription }
    }

    static let invalid: [Invalid] = [
        Invalid(yaml: "destinaton: /opt/app", kind: .unknownKey, line: 1,
                mentions: ["unknown key 'destinaton'", "did you mean 'destination'"]),
        Invalid(yaml: "source: a\nssh:\n  prot: 22", kind: .unknownKey, line: 3,
                mentions: ["unknown key 'ssh.prot'", "did you mean 'port'"]),
        Invalid(yaml: "port: 22", kind: .unknownKey, line: 1, mentions: ["unknown key 'port'", "did you mean 'ssh.port'"]),
        Invalid(yaml: "transfer:\n  timeout: 5m", kind: .unknownKey, line: 2,
                mentions: ["transfer.timeout", "did you mean 'deploy.timeout'"]),
        Invalid(yaml: "deploy:\n  zzz: 1", kind: .unknownKey, line: 2, mentions: ["deploy.zzz", "known keys here: timeout"]),
        Invalid(yaml: "ssh:\n  port: abc", kind: .wrongType, line: 2, mentions: ["ssh.port must be an integer", "'abc'"]),
        Invalid(yaml: "ssh:\n  port: \"22\"", kind: .wrongType, line: 2, mentions: ["ssh.port must be an integer"]),
        Invalid(yaml: "deploy:\n  keep_previous: 3", kind: .wrongType, line: 2, mentions: ["keep_previous must be true or false"]),
        Invalid(yaml: "ssh: 5", kind: .wrongType, line: 1, mentions: ["section 'ssh' must be a mapping"]),
        Invalid(yaml: "- a\n- b", kind: .wrongType, line: 1, mentions: ["must be a mapping"]),
        Invalid(yaml: "source: [a, b]", kind: .wrongType, line: 1, mentions: ["source must be a string", "a list"]),
        Invalid(yaml: "ssh:\n  identity: {a: 1}", kind: .wrongType, line: 2, mentions: ["ssh.identity must be a list"]),
        Invalid(yaml: "transfer:\n  trackers: [1]", kind: .wrongType, line: 2, mentions: ["trackers item must be a string"]),
        Invalid(yaml: "transfer:\n  gzip: fast", kind: .wrongType, line: 2, mentions: ["gzip must be false, true or a level"]),
        Invalid(yaml: "ssh:\n  port: 0", kind: .invalidValue, line: 2, mentions: ["ssh.port", "out of range"]),
        Invalid(yaml: "ssh:\n  port: 65536", kind: .invalidValue, line: 2, mentions: ["ssh.port", "out of range"]),
        Invalid(yaml: "ssh:\n  parallel: 0", kind: .invalidValue, line: 2, mentions: ["ssh.parallel"]),
        Invalid(yaml: "ssh:\n  user: \"-oProxyCommand=x\"", kind: .invalidValue, line: 2, mentions: ["ssh.user"]),
        Invalid(yaml: "ssh:\n  connect_timeout: 0", kind: .invalidValue, line: 2, mentions: ["connect_timeout", "above zero"]),
        Invalid(yaml: "deploy:\n  max_failures: -1", kind: .invalidValue, line: 2, mentions: ["max_failures"]),
        Invalid(yaml: "deploy:\n  max_failures: 120%", kind: .invalidValue, line: 2, mentions: ["max_failures", "0% to 100%"]),
        Invalid(yaml: "deploy:\n  layout: capistrano", kind: .invalidValue, line: 2, mentions: ["deploy.layout", "sibling or releases"]),
        Invalid(yaml: "deploy:\n  activate: later", kind: .invalidValue, line: 2, mentions: ["deploy.activate", "together or asap"]),
        Invalid(yaml: "deploy:\n  batch: 0", kind: .invalidValue, line: 2, mentions: ["deploy.batch", "empty"]),
        Invalid(yaml: "deploy:\n  keep_releases: 0", kind: .invalidValue, line: 2, mentions: ["deploy.keep_releases"]),
        Invalid(yaml: "hooks:\n  health_check: \"  \"", kind: .invalidValue, line: 2, mentions: ["hooks.health_check", "empty"]),
        Invalid(yaml: "hooks:\n  health_retries: -1", kind: .invalidValue, line: 2, mentions: ["hooks.health_retries"]),
        Invalid(yaml: "hooks:\n  after: x", kind: .unknownKey, line: 2, mentions: ["hooks.after"]),
        Invalid(yaml: "deploy:\n  timeout: 5x", kind: .invalidValue, line: 2, mentions: ["deploy.timeout", "5x"]),
        Invalid(yaml: "deploy:\n  timeout: -5", kind: .invalidValue, line: 2, mentions: ["deploy.timeout", "negative"]),
        Invalid(yaml: "transfer:\n  gzip: 10", kind: .invalidValue, line: 2, mentions: ["transfer.gzip", "level 10"]),
        Invalid(yaml: "transfer:\n  gzip: 0", kind: .invalidValue, line: 2, mentions: ["transfer.gzip"]),
        Invalid(yaml: "transfer:\n  piece_size: 3MiB", kind: .invalidValue, line: 2, mentions: ["piece_size", "power of two"]),
        Invalid(yaml: "transfer:\n  piece_size: 1024", kind: .invalidValue, line: 2, mentions: ["piece_size", "16KiB"]),
        Invalid(yaml: "transfer:\n  link_rate: fast", kind: .invalidValue, line: 2, mentions: ["transfer.link_rate"]),
        Invalid(yaml: "transfer:\n  link_rate: 0", kind: .invalidValue, line: 2, mentions: ["link rate '0' must be at least 1 kbit/s"]),
        Invalid(yaml: "transfer:\n  max_rate: 500kbit", kind: .invalidValue, line: 2, mentions: ["transfer.max_rate", "between 1 Mbit/s and 10 Tbit/s"]),
        Invalid(yaml: "transfer:\n  max_rate: slow", kind: .invalidValue, line: 2, mentions: ["transfer.max_rate"]),
        Invalid(yaml: "transfer:\n  max_rate: [1]", kind: .wrongType, line: 2, mentions: ["transfer.max_rate"]),
        Invalid(yaml: "transfer:\n  trackers:\n    - udp://t:1", kind: .invalidValue, line: 3, mentions: ["http://"]),
        Invalid(yaml: "transfer:\n  listen: 10.0.0.1:80", kind: .invalidValue, line: 2, mentions: ["has a port"]),
        Invalid(yaml: "destination: opt/app", kind: .invalidValue, line: 1, mentions: ["not an absolute path"]),
        Invalid(yaml: "hosts: \"\"", kind: .invalidValue, line: 1, mentions: ["hosts is empty"]),
        Invalid(yaml: "source: a\nsource: b", kind: .invalidYAML, line: 1, mentions: ["'source'", "more than once"]),
        Invalid(yaml: "ssh:\n  port: 22\n user: x", kind: .invalidYAML, line: 3, mentions: ["invalid YAML"]),
        Invalid(yaml: "source: [a", kind: .invalidYAML, line: 2, mentions: ["invalid YAML"]),
    ]

    @Test(arguments: invalid)
    func rejects(_ case_: Invalid) {
        do {
            let file = try Deployfile.parse(case_.yaml, path: "deploy/Deployfile")
            Issue.record("expected an error, got \(file)")
        } catch let error as DeployError {
            #expect(error.kind == case_.kind, "\(error)")
            #expect(error.line == case_.line, "\(error)")
            #expect(error.remedy != nil)
            let text = error.description
            let location = "deploy/Deployfile" + (case_.line.map { ":\($0)" } ?? "")
            #expect(text.hasPrefix(location), "\(text)")
            for mention in case_.mentions {
                #expect(text.contains(mention), "\(text)")
            }
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func sampleParsesAndStatesTheDefaults() throws {
        let sample = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deployfile.sample").path
        let file = try Deployfile.load(path: sample)
        var settings = PushSettings.defaults
        settings.apply(file)

        // The sample shows example values for the three settings without a default...
        let directory = PathResolution.directory(of: sample)
        #expect(settings.source == PathResolution.normalize(directory + "/build"))
        #expect(settings.destination == "/opt/app")
        #expect(settings.hostsFile == PathResolution.normalize(directory + "/hosts.txt"))
        // ...and states every other default explicitly (except the user, which varies).
        #expect(file.user == nil)
        let stated: [Bool] = [
            file.port != nil, file.identities != nil, file.knownHosts != nil, file.acceptNewHostKeys != nil,
            file.parallel != nil, file.connectTimeout != nil, file.pieceSize != nil, file.compress != nil, file.reuse != nil,
            file.trackers != nil, file.listen != nil, file.linkRateBitsPerSecond != nil, file.maxRateBitsPerSecond == .auto, file.seedGrace != nil,
            file.timeout != nil, file.stallTimeout != nil, file.maxFailures != nil, file.keepPrevious != nil,
        ]
        #expect(stated.allSatisfy { $0 })
        var expected = PushSettings.defaults
        expected.source = settings.source
        expected.destination = settings.destination
        expected.hostsFile = settings.hostsFile
        // Stated, even at their defaults, they count as given (over an ssh_config).
        expected.sshGiven = [.port, .identities, .knownHosts, .acceptNewHostKeys]
        #expect(settings == expected)
    }

    @Test func theCIExampleDeployfileAsksForReleasesHooksAndWaves() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/ci/Deployfile").path
        var settings = PushSettings.defaults
        settings.apply(try Deployfile.load(path: path))
        let rollout = settings.rollout
        #expect(rollout.layout == .releases && rollout.keepReleases == 5 && rollout.activation == .together)
        #expect(rollout.canary == 1 && rollout.batch == .percent(25) && settings.maxFailures == .percent(5))
        #expect(rollout.healthCheck?.hasPrefix("curl") == true && rollout.afterActivate != nil && rollout.beforeActivate != nil)
        #expect(rollout.healthRetries == 5 && rollout.healthInterval == .seconds(3))
        // The deploy job pushes the build job's release from its web seed.
        #expect(settings.localSeed == false)
    }

    @Test func webSeedsAndTheLocalSeedAreTransferKeys() throws {
        let file = try Deployfile.parse("transfer:\n  web_seeds: [http://a.internal/r/, 'http://10.0.0.9/x.tar']\n  local_seed: false\n", path: "Deployfile")
        var settings = PushSettings.defaults
        settings.apply(file)
        #expect(settings.webSeeds == ["http://a.internal/r/", "http://10.0.0.9/x.tar"])
        #expect(settings.localSeed == false)
        #expect { try Deployfile.parse("transfer:\n  web_seeds:\n    - ftp://a/r.tar\n", path: "Deployfile") } throws: { error in
            let text = "\(error)"
            return text.contains("Deployfile:3") && text.contains("ftp://a/r.tar") && text.contains("transfer.web_seeds")
        }
    }

    @Test(arguments: [
        ("3", HostCount.hosts(3), 10, 3, 3), ("10%", .percent(10), 15, 1, 2), ("25%", .percent(25), 8, 2, 2),
        ("100%", .percent(100), 7, 7, 7), ("0%", .percent(0), 9, 0, 0), (" 5 % ", .percent(5), 40, 2, 2),
    ])
    func hostCountsResolveAgainstTheFleet(_ text: String, _ parsed: HostCount, _ total: Int, _ down: Int, _ up: Int) throws {
        let count = try HostCount.parse(text)
        #expect(count == parsed)
        #expect(count.resolved(of: total) == down)
        #expect(count.resolved(of: total, roundingUp: true) == up)
    }

    @Test func sampleDocumentsEveryKey() throws {
        let sample = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deployfile.sample")
        let text = try String(contentsOf: sample, encoding: .utf8)
        for dotted in DeployfileSchema.allDottedKeys {
            let key = dotted.split(separator: ".").last!
            #expect(text.contains("\(key):"), "Deployfile.sample does not mention \(dotted)")
        }
    }

    @Test func loadReportsMissingFile() {
        let error = #expect(throws: DeployError.self) { try Deployfile.load(path: "/nonexistent/Deployfile") }
        #expect(error?.kind == .unreadableFile)
        #expect(error?.description.contains("/nonexistent/Deployfile") == true)
    }

    @Test(arguments: [("port", "port", 0), ("prot", "port", 2), ("", "ab", 2), ("kitten", "sitting", 3)])
    func editDistance(_ a: String, _ b: String, _ distance: Int) {
        #expect(DeployfileSchema.editDistance(a, b) == distance)
    }
}

import ArgumentParser
import DeployConfiguration
import DeployProtocol
import Fleet
import Foundation
import Push

/// What `status` and `rollback` share: the destination and hosts (flags over the Deployfile),
/// the peer program to run there, and one peer command run on every host.
struct ReleaseFleet {
    let settings: PushSettings
    let destination: String
    let hostsFile: String
    let hosts: [FleetHost]
    let lines: [Int]
    let peer: PeerBinary

    init(to: String?, on: String?, deployfile: String?, ssh: SSHFlags, peerBinary: String?) throws(CommandFailure) {
        var settings = try BaseSettings.load(deployfile: deployfile)
        if let to { settings.destination = to }
        if let on { settings.hostsFile = on }
        try ssh.apply(to: &settings)
        guard let destination = settings.destination else {
            throw .badInput("no destination: add --to DEST, or set 'destination' in the Deployfile")
        }
        guard let hostsFile = settings.hostsFile else {
            throw .badInput("no hosts file: add --on HOSTS, or set 'hosts' in the Deployfile")
        }
        self.destination = try parseFlag("--to", destination, SettingParsers.destination)
        let entries: [HostEntry]
        do {
            entries = try HostsFile.load(path: hostsFile, defaultPort: settings.port)
        } catch {
            throw .badInput(error)
        }
        self.settings = settings
        self.hostsFile = hostsFile
        hosts = try FleetTargets.hosts(entries, settings: settings)
        lines = entries.map(\.line)
        peer = try PeerBinaryLocator.locate(flag: peerBinary)
    }

    /// Runs `./peer ARGUMENTS` on every host; `onLine` gets each host's output lines as they come.
    func run(_ arguments: [String], timeout: Duration, onLine: @escaping @Sendable (Int, String) -> Void = { _, _ in }) async -> [PeerCommandRun.HostOutcome] {
        let hosts = hosts
        return await PeerCommandRun.run(
            hosts, parallelism: settings.sshParallel, peer: peer, sudo: settings.sudo, arguments: arguments, timeout: timeout,
            onEvent: { event in
                if case .connected(let newHostKey?) = event.kind {
                    StandardError.write("\(event.host.name): host key \(newHostKey) recorded in \(event.host.configuration.knownHostsPath)\n")
                }
            },
            onLine: onLine)
    }

    /// The peer's last `failed` message in `output`, else its standard error, else how it ended.
    static func failure(of result: PeerCommandRun.HostOutcome) -> String? {
        switch result.result {
        case .failure(let error): return error.detail
        case .success(let ended) where ended.exitStatus == 0: return nil
        case .success(let ended):
            let said = String(decoding: ended.stdout, as: UTF8.self).split(separator: "\n").compactMap { PeerEvent(line: String($0)) }
            for event in said.reversed() { if case .failed(_, let message) = event { return message } }
            let error = String(decoding: ended.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !error.isEmpty { return HostText.printable(String(error.suffix(500))) }
            return ended.exitSignal.map { "the peer was killed by signal \($0)" } ?? "the peer exited with status \(ended.exitStatus ?? -1)"
        }
    }

    /// The value most often in `values`; of equally common ones the greatest (for release ids,
    /// the newest).
    static func mostCommon(_ values: [String]) -> String? {
        Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +).max { ($0.value, $0.key) < ($1.value, $1.key) }?.key
    }

    /// The `status` line in a host's output.
    static func status(in result: PeerCommandRun.HostOutcome) -> DestinationStatus? {
        guard case .success(let ended) = result.result else { return nil }
        return String(decoding: ended.stdout, as: UTF8.self).split(separator: "\n").lazy.compactMap { DestinationStatus(line: String($0)) }.last
    }
}

/// What `status` and `rollback` take to find the fleet: the destination and hosts, the
/// Deployfile, the peer program, and how to print the result.
struct ReleaseFleetFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Destination directory on every host (absolute path).", valueName: "dest"))
    var to: String?

    @Option(help: ArgumentHelp("Hosts file: one [user@]host[:port] per line, optional key=value labels.", valueName: "hosts-file"))
    var on: String?

    @Option(name: .customLong("deployfile"), help: ArgumentHelp("Read settings from this Deployfile (default: ./Deployfile if present).", valueName: "path"))
    var deployfile: String?

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    @Option(help: ArgumentHelp("The peer program run on the hosts (default: $SWARMDEPLOY_PEER, else swarmdeploy-peer beside this program).", valueName: "file"))
    var peerBinary: String?

    func fleet(ssh: SSHFlags) throws(CommandFailure) -> ReleaseFleet {
        try ReleaseFleet(to: to, on: on, deployfile: deployfile, ssh: ssh, peerBinary: peerBinary)
    }
}

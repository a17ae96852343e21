import DeployConfiguration
import DeployProtocol
import Fleet
import SSH

/// Runs one of the peer's own commands (`status`, `rollback`) on every host over SSH: from the
/// host's cache, or uploaded by the controller first when the cache lacks this version (hosts
/// that took part in a push with this version have it).
public enum PeerCommandRun {
    /// How one host's command ended, with what it printed.
    public struct HostOutcome: Sendable {
        public var result: Result<SSHCommandResult, SSHError>
        /// Whether the controller uploaded the peer program first.
        public var uploaded: Bool
        public var seconds: Double
    }

    /// Runs `./peer ARGUMENTS` on every host, at most `parallelism` at once. `onLine` gets each
    /// line a host's command prints on standard output, as it arrives (from the host's thread).
    public static func run(
        _ hosts: [FleetHost], parallelism: Int, peer: PeerBinary, sudo: Bool, arguments: [String], timeout: Duration,
        onEvent: @escaping @Sendable (FleetEvent) -> Void = { _ in },
        onLine: @escaping @Sendable (_ index: Int, String) -> Void = { _, _ in }
    ) async -> [HostOutcome] {
        let results = await Fleet.run(hosts, parallelism: parallelism, onEvent: onEvent) { index, session throws(SSHError) in
            let began = ContinuousClock.now
            let printed: @Sendable (SSHOutputStream, String) -> Void = { stream, line in
                if stream == .stdout, line != HostPushMachine.notCachedMarker { onLine(index, HostText.printable(line)) }
            }
            var result = try session.execute(
                peer.commandIfCached(arguments, sudo: sudo), timeout: timeout, onLine: printed)
            var uploaded = false
            if result.exitStatus == HostPushMachine.notCachedStatus,
                String(decoding: result.stdout, as: UTF8.self).contains(HostPushMachine.notCachedMarker) {
                uploaded = try session.ensureFile(contentsOf: peer.path, sha256: peer.sha256, at: peer.remotePath, permissions: 0o755)
                result = try session.execute(peer.command(arguments, sudo: sudo), timeout: timeout, onLine: printed)
            }
            return HostOutcome(result: .success(result), uploaded: uploaded, seconds: (ContinuousClock.now - began).inSeconds)
        }
        return results.map { result in
            switch result {
            case .success(let outcome): outcome
            case .failure(let error): HostOutcome(result: .failure(error), uploaded: false, seconds: 0)
            }
        }
    }
}

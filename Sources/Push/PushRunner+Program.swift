import DeployConfiguration
import Fleet
import SSH
import Synchronization
import TorrentMetainfo

/// The peer program on hosts that lack it: fetched from a host of the push that serves it,
/// or uploaded by the controller (see `ProgramDistribution`).
final class ProgramSources: Sendable {
    private struct State {
        var distribution: ProgramDistribution
        /// Bytes the controller sent for peer programs.
        var bytesSent: Int64 = 0
        /// The longest a successful upload or fetch took.
        var slowestCopy: Duration = .zero
    }

    /// The token peers ask for the program with (hex on the fetch's command line).
    let token: [UInt8]
    private let state: Mutex<State>
    /// How long no copy may reach any host, with none under way, before a waiting host gets
    /// the program from the controller (`SpreadWatch`).
    static let patience: Duration = .seconds(30)

    init(distribution: ProgramDistribution = ProgramDistribution()) {
        token = RandomBytes.make(16)
        state = Mutex(State(distribution: distribution))
    }

    var bytesSent: Int64 { state.withLock { $0.bytesSent } }

    /// Copies made so far, and whether one is under way (see `patience`).
    var progress: (copies: Int, copying: Bool) {
        state.withLock { ($0.distribution.copiesMade, $0.distribution.isCopying) }
    }

    /// How long a fetch may take before its host tries elsewhere: a minute, or four times the
    /// slowest copy so far on a link slow enough that a copy takes longer than 15 s.
    var fetchTimeout: Duration {
        max(.seconds(60), state.withLock { $0.slowestCopy } * 4)
    }

    func serving(host: Int, address: String, port: Int) {
        state.withLock { $0.distribution.serving(host: host, address: address, port: port) }
    }

    func stoppedServing(host: Int) {
        state.withLock { $0.distribution.stoppedServing(host: host) }
    }

    fileprivate func assign(host: Int, tried: Set<Int>, impatient: Bool) -> ProgramDistribution.Assignment {
        state.withLock { $0.distribution.assign(host: host, tried: tried, impatient: impatient) }
    }

    fileprivate func fetchEnded(host: Int, from source: Int, succeeded: Bool, took: Duration) {
        state.withLock { state in
            state.distribution.fetchEnded(host: host, from: source, succeeded: succeeded)
            if succeeded { state.slowestCopy = max(state.slowestCopy, took) }
        }
    }

    fileprivate func uploadEnded(host: Int, succeeded: Bool, sent: Int64, took: Duration) {
        state.withLock { state in
            state.distribution.uploadEnded(host: host, succeeded: succeeded)
            state.bytesSent += sent
            if succeeded { state.slowestCopy = max(state.slowestCopy, took) }
        }
    }

    /// The shell command that fetches the program from a host that serves it at
    /// `address`:`port` into the cache, where `binary` names it, only once its SHA-256 is
    /// right; the compressed copy stays beside it, to be served in turn. Exits 127 when the
    /// host lacks bash (for its /dev/tcp) or gzip.
    static func fetchCommand(_ binary: PeerBinary, address: String, port: Int, token: [UInt8]) -> String {
        let final = binary.remotePath
        let temporary = final + ".fetch-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let hex = Hex.encode(token)
        let fetch = ShellQuoting.commandLine(["bash", "-c", #"exec 3<>"/dev/tcp/$1/$2" && printf '%s\n' "$3" >&3 && cat <&3"#, "fetch", address, String(port), hex])
        let t = ShellQuoting.commandLine([temporary])
        let gz = ShellQuoting.commandLine([temporary + ".gz"])
        return "command -v bash >/dev/null && command -v gzip >/dev/null || exit 127; "
            + "mkdir -p -- \(ShellQuoting.commandLine([String(final[..<final.lastIndex(of: "/")!])])) || exit 1; "
            + "\(fetch) > \(gz) && gzip -dc -- \(gz) > \(t) "
            + "&& [ \"$(sha256sum -- \(t) | cut -d ' ' -f 1)\" = \(binary.sha256) ] "
            + "&& chmod 755 -- \(t) && mv -f -- \(gz) \(ShellQuoting.commandLine([final + ".gz"])) "
            + "&& mv -f -- \(t) \(ShellQuoting.commandLine([final])); "
            + "status=$?; rm -f -- \(t) \(gz); exit $status"
    }
}

extension PushRunner {
    /// Makes sure host `index` has the peer program: fetched from a host that serves it, or
    /// uploaded when none can (or the fetches failed). Returns whether a new copy was written
    /// and, when fetched, from which host. Waiting for a source holds no thread.
    func obtainProgram(_ index: Int, session: HeldSession, workers: HostWorkers) async -> Result<(replaced: Bool, source: String?), SSHError> {
        var tried: Set<Int> = []
        let waitBegan = ContinuousClock.now
        var watch = SpreadWatch(patience: ProgramSources.patience, copies: programSources.progress.copies, now: .zero)
        while true {
            let progress = programSources.progress
            let stuck = watch.isStuck(copies: progress.copies, copying: progress.copying, now: .now - waitBegan)
            switch programSources.assign(host: index, tried: tried, impatient: stuck || isCancelled) {
            case .fetch(let source, let address, let port):
                let command = ProgramSources.fetchCommand(peerBinary, address: address, port: port, token: programSources.token)
                let began = ContinuousClock.now
                let fetched = (try? await workers.execute(command, on: session, timeout: programSources.fetchTimeout).get())?.exitStatus == 0
                programSources.fetchEnded(host: index, from: source, succeeded: fetched, took: .now - began)
                if fetched { return .success((true, plan.hosts[source].name)) }
                logger.info("could not fetch the peer program from \(plan.hosts[source].name)", metadata: ["host": "\(plan.hosts[index].name)"])
                tried.insert(source)
            case .wait:
                try? await Task.sleep(for: .milliseconds(100))
            case .upload:
                if plan.settings.maxRateBitsPerSecond != nil {
                    // Counted against the cap before it leaves; it then leaves at the link's rate.
                    let size = await workers.pool.run { self.compressedPeer.bytes()?.count ?? Int(self.peerBinary.size) }
                    await reserveUplink(size)
                }
                return await workers.pool.run { self.uploadProgram(index, session: session.session) }
            }
        }
    }

    /// The controller's own upload of the peer program to host `index` (blocking).
    private func uploadProgram(_ index: Int, session: SSHSession) -> Result<(replaced: Bool, source: String?), SSHError> {
        var sent: Int64 = 0
        var succeeded = false
        let began = ContinuousClock.now
        defer { programSources.uploadEnded(host: index, succeeded: succeeded, sent: sent, took: .now - began) }
        do throws(SSHError) {
            let replaced = try session.ensureFile(
                contentsOf: peerBinary.path, sha256: peerBinary.sha256, at: peerBinary.remotePath,
                permissions: 0o755,
                gzipped: {
                    let bytes = self.compressedPeer.bytes()
                    sent = Int64(bytes?.count ?? Int(self.peerBinary.size))
                    return bytes
                },
                keepCompressed: true
            )
            succeeded = true
            return .success((replaced, nil))
        } catch {
            return .failure(error)
        }
    }
}

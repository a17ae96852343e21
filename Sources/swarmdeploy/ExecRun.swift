import DeployConfiguration
import Fleet
import Foundation
import SSH

/// Runs an `ExecRequest` on every host and gathers how each one ended.
enum ExecRun {
    /// The most output kept per stream and host for the JSON report; more is
    /// reported as that host's failure rather than held in memory.
    static let collectedOutputLimit = 16 * 1024 * 1024

    static func run(_ request: ExecRequest, hosts: [FleetHost], streamOutput: Bool, rawOutput: Bool = false, collectOutput: Bool) async -> ExecReport {
        let printer = HostLinePrinter(raw: rawOutput)
        let elapsed = ElapsedTimes(count: hosts.count)
        let commandLine = request.commandLine
        let timeout = request.timeout
        let results = await Fleet.run(hosts, parallelism: request.settings.sshParallel, onEvent: { event in
            switch event.kind {
            case .finished(let time), .failed(_, let time): elapsed.set(event.index, time)
            case .connected(let newHostKey?):
                StandardError.write("\(event.host.name): host key \(newHostKey) recorded in \(event.host.configuration.knownHostsPath)\n")
            case .connecting, .connected: break
            }
        }) { index, session throws(SSHError) in
            let host = hosts[index]
            return try session.execute(
                commandLine,
                timeout: timeout,
                collectOutput: collectOutput,
                outputLimit: collectedOutputLimit,
                onLine: streamOutput ? { stream, line in printer.print(line, from: host.name, on: stream) } : nil
            )
        }
        let outcomes = zip(hosts, results).enumerated().map { index, pair in
            ExecReport.Host(name: pair.0.name, result: pair.1, seconds: elapsed.seconds(index))
        }
        return ExecReport(command: commandLine, hosts: outcomes)
    }
}

/// How long each host took, written from the hosts' threads.
private final class ElapsedTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [Duration]

    init(count: Int) { times = Array(repeating: .zero, count: count) }

    func set(_ index: Int, _ time: Duration) {
        lock.withLock { times[index] = time }
    }

    func seconds(_ index: Int) -> Double {
        lock.withLock { times[index] }.inSeconds
    }
}

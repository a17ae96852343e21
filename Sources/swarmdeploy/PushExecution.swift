import Archive
import Deploy
import Fleet
import Foundation
import Push

/// A real push, from a validated request to the report and the exit code.
enum PushExecution {
    static func run(_ request: PushRequest, peerBinaryFlag: String?, json: Bool, quiet: Bool) async throws(CommandFailure) {
        // The report's wall time is the whole command's: reading and packing the source too.
        let commandStart = ContinuousClock.now
        let settings = request.settings
        let peerBinary = try PeerBinaryLocator.locate(flag: peerBinaryFlag)
        let listenHost = try listenAddress(request)

        // Pack into memory: the seeder serves from RAM, and nothing is written on the controller.
        let manifest = try request.scanSource()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(manifest.tarLength))
        let packing = ProgressLine(label: "packing", total: manifest.tarLength, quiet: quiet || json)
        let payload: Payload
        do {
            payload = try PayloadBuilder.build(manifest, options: request.payloadOptions, progress: packing.update) { chunk in
                bytes.append(contentsOf: chunk)
            }
        } catch {
            throw .controller("cannot pack \(request.source): \(error)")
        }
        packing.finish()

        let hosts = Fleet.hosts(request.hosts, settings: settings, environment: ProcessInfo.processInfo.environment)
        let runner = PushRunner(
            configuration: .init(
                hosts: hosts,
                destination: request.destination,
                listenHost: listenHost,
                sshParallel: settings.sshParallel,
                seedGrace: .milliseconds(Int64(settings.seedGrace * 1000)),
                timeout: .milliseconds(Int64(settings.timeout * 1000)),
                keepPrevious: settings.keepPrevious,
                peerBinary: peerBinary,
                extractedBytes: manifest.payloadBytes,
                tarBytes: manifest.tarLength
            ),
            metainfo: payload.metainfo,
            payload: bytes
        )
        let title = "pushing \(payload.metainfo.name) (\(HumanUnits.bytes(payload.archiveLength))) to \(request.destination) on \(HumanUnits.count(hosts.count, "host"))"
        let view = LiveView(title: title, hostCount: hosts.count, quiet: quiet || json)
        if !(quiet || json) {
            StandardError.write("\(title); info-hash \(payload.metainfo.infoHash.hex), seeder and tracker on \(listenHost)\n")
        }

        let refresher = Task {
            while !Task.isCancelled {
                view.refresh(runner.board)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let interrupter = Task {
            await TerminationSignal.wait()
            StandardError.write("swarmdeploy: interrupted; stopping every host (destinations not yet switched stay as they were)\n")
            runner.cancel()
        }
        let outcome: PushRunner.Outcome
        do {
            outcome = try await runner.run(onLine: view.event)
        } catch {
            refresher.cancel()
            interrupter.cancel()
            view.finish()
            throw .controller("\(error)")
        }
        refresher.cancel()
        interrupter.cancel()
        view.finish()

        let report = PushReport.make(
            board: outcome.board,
            lines: request.hosts.map(\.line),
            infoHash: payload.metainfo.infoHash.hex,
            destination: request.destination,
            archiveBytes: payload.archiveLength,
            seederSent: outcome.seederSent,
            transferStart: outcome.transferStart,
            wall: ContinuousClock.now - commandStart,
            linkRateBitsPerSecond: settings.linkRateBitsPerSecond,
            maxFailures: settings.maxFailures
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(report) else { throw .controller("cannot encode the report") }
            printLine(String(decoding: data, as: UTF8.self))
        } else {
            printLine(PushReportText.render(report, hostsFile: request.hostsFile, tarballName: payload.metainfo.name))
        }
        let failed = report.totals.failed
        if failed > settings.maxFailures {
            throw CommandFailure(
                exitCode: .hostsFailed,
                message: "\(HumanUnits.count(failed, "host")) failed (allowed: \(settings.maxFailures), see --max-failures)"
            )
        }
        if failed > 0 {
            throw CommandFailure(
                exitCode: .partial,
                message: "\(HumanUnits.count(failed, "host")) failed, within --max-failures \(settings.maxFailures); the others have the new tree"
            )
        }
    }

    /// `--listen`, else the source address of the route to the first host.
    private static func listenAddress(_ request: PushRequest) throws(CommandFailure) -> String {
        if let listen = request.settings.listen {
            // The address is also the tracker URL the hosts are given: it must be one they can reach.
            guard !["0.0.0.0", "::", "[::]"].contains(listen) else {
                throw .badInput("--listen \(listen): give the address the hosts reach this machine at, not a wildcard")
            }
            return listen
        }
        guard let first = request.hosts.first else {
            throw .badInput("\(request.hostsFile) lists no hosts")
        }
        do {
            return try ControllerAddress.detect(towards: first.address.host, port: first.address.port ?? request.settings.port)
        } catch {
            throw .badInput("cannot tell which address hosts reach this machine at: \(error); give it with --listen ADDR")
        }
    }
}

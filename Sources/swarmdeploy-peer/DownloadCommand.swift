import ArgumentParser
import DeployProtocol
import Glibc
import PeerAgent
import Swarm
import TorrentMetainfo

/// Downloads a torrent's payload from the swarm, verifies it, and seeds it for a while.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a torrent's payload through its trackers, verify it, then seed for a grace period.",
        discussion: """
            Writes to OUT.part and renames it to OUT once every piece's SHA-1 and the payload's \
            SHA-256 check out. Exits 0 when the payload is complete and the grace period is over.

            Example:
              swarmdeploy-peer download release-42.torrent --out /var/tmp/release-42.tar --seed-grace 30
            """
    )

    @Argument(help: "The .torrent file.") var torrent: String
    @Option(help: ArgumentHelp("Where to write the payload.", valueName: "file")) var out: String
    @Option(help: ArgumentHelp("Seconds to keep seeding after the download completes.", valueName: "seconds"))
    var seedGrace: Double = 30
    @Option(help: ArgumentHelp("Give up when the download has not completed after this many seconds.", valueName: "seconds"))
    var timeout: Double = 3600
    @Option(help: ArgumentHelp("Port to accept peers on (0: any free port).", valueName: "port")) var port = 0
    @Option(help: ArgumentHelp("Announce to this tracker instead of the torrent's; repeatable.", valueName: "url"))
    var tracker: [String] = []
    @Option(help: ArgumentHelp(
        "Exchange pieces only with peers that prove they hold the key in this file (hex); without it, plain BitTorrent.",
        valueName: "file"))
    var peerKeyFile: String?
    @Option(
        name: .customLong("web-seed"),
        help: ArgumentHelp(
            "Also fetch pieces from this http:// or https:// URL of the payload (BEP 19), besides those the torrent lists; repeatable. Give an address, or a name in /etc/hosts.",
            valueName: "url"))
    var webSeeds: [String] = []
    @Option(
        name: .customLong("web-seed-ca"),
        help: ArgumentHelp("PEM file of the authorities https:// web seeds' certificates chain to (default: the system's).", valueName: "file"))
    var webSeedCA: String?

    /// 30 days, as every duration in a job.
    static let longestSeconds = Double(PeerJob.maximumMilliseconds) / 1000

    func validate() throws {
        guard seedGrace.isFinite, (0...Self.longestSeconds).contains(seedGrace) else {
            throw ValidationError("--seed-grace \(seedGrace): give 0 to \(Int(Self.longestSeconds)) seconds (30 days)")
        }
        guard timeout.isFinite, timeout > 0, timeout <= Self.longestSeconds else {
            throw ValidationError("--timeout \(timeout): give more than 0 and at most \(Int(Self.longestSeconds)) seconds (30 days)")
        }
    }

    func run() async throws {
        let metainfo = try Metainfo(bytes: try readWholeFile(torrent, limit: Metainfo.maximumSize))
        let partial = out + ".part"
        let storage = try FilePieceStorage(path: partial, length: metainfo.length, mode: .readWrite)
        var configuration = SwarmConfiguration(listenPort: port)
        configuration.authenticationKey = try peerKeyFile.map(PeerAuthenticationKey.fromFile)
        configuration.webSeedCertificates = try webSeedCA.map { try readWholeFile($0, limit: 16 << 20) }
        configuration.webSeeds = try (webSeeds + metainfo.webSeeds.filter { !webSeeds.contains($0) }).map { url in
            do {
                return try WebSeed(url, fileName: metainfo.name)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let member = try await SwarmMember.join(
            metainfo: metainfo, storage: storage, role: .downloader,
            configuration: configuration,
            tiers: tracker.isEmpty ? nil : tracker.map { [$0] }
        )
        let node = member.node
        let reporter = Task { await Self.reportProgress(of: node) }
        // The reporter reads the node: it stops before the node does.
        func stopReporting() async {
            reporter.cancel()
            await reporter.value
        }

        do {
            try await Self.withDeadline(seconds: timeout) { try await node.waitUntilComplete() }
        } catch {
            await stopReporting()
            await member.leave()
            throw PeerFailure("download of \(metainfo.name) did not complete: \(error)")
        }
        guard rename(partial, out) == 0 else {
            let reason = String(cString: strerror(errno))
            await stopReporting()
            await member.leave()
            throw PeerFailure("cannot rename \(partial) to \(out): \(reason)")
        }
        printLine("download: \(metainfo.name) complete and verified (info-hash \(metainfo.infoHash)); seeding for \(seedGrace) s")
        try? await Task.sleep(for: .seconds(seedGrace))
        await stopReporting()
        let progress = await member.leave()
        printLine("download: done; uploaded \(progress?.bytesUploaded ?? 0) bytes to other peers")
    }

    /// One plain line a second while something changes (never control characters: the
    /// controller reads these lines over SSH).
    private static func reportProgress(of node: SwarmNode) async {
        var warned = 0
        await watchProgress(of: node, every: .seconds(1)) { progress in
            let web = progress.bytesFromWebSeeds > 0 ? " (\(progress.bytesFromWebSeeds) from web seeds)" : ""
            let line = "progress: \(progress.verifiedPieces)/\(progress.pieceCount) pieces, "
                + "\(progress.bytesDownloaded) bytes in\(web), \(progress.bytesUploaded) out, \(progress.connectedPeers) peers\n"
            writeToStandardError(line + progress.webSeedProblems.dropFirst(warned).map { "warning: \($0)\n" }.joined())
            warned = progress.webSeedProblems.count
        }
    }

    private static func withDeadline(seconds: Double, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw PeerFailure("no complete payload after \(seconds) s")
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

import ArgumentParser
import DeployConfiguration
import Foundation
import Swarm
import TorrentMetainfo

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Seed a payload for its torrent, announcing to its trackers, until interrupted.",
        discussion: """
            Serves the payload from memory when it fits --memory-budget, from the file otherwise. \
            By default it super-seeds: no piece is sent twice before every piece has left once, \
            so the seeder's uplink carries new data while peers spread the rest.

            Examples:
              swarmdeploy seed release-42.torrent release-42.tar
              swarmdeploy seed release-42.torrent release-42.tar --listen 0.0.0.0:6881 --tracker http://10.0.0.1:6969/announce
              openssl rand -hex 32 > peer.key    # then: serve only peers started with the same key
              swarmdeploy seed release-42.torrent release-42.tar --peer-key-file peer.key
            """
    )

    @Argument(help: "The .torrent file.") var torrent: String
    @Argument(help: "The payload it describes (the tarball).") var payload: String

    @Option(help: ArgumentHelp("Address and port to accept peers on (port 0: any free port).", valueName: "host:port"))
    var listen = "0.0.0.0:0"

    @Option(help: ArgumentHelp("Announce to this tracker instead of the torrent's; repeatable (each is a tier).", valueName: "url"))
    var tracker: [String] = []

    @Option(help: ArgumentHelp("Serve from memory up to this size, e.g. 2GiB (default: 1GiB).", valueName: "size"))
    var memoryBudget = "1GiB"

    @Option(help: ArgumentHelp(
        "Serve only peers that prove they hold the key in this file (hex, at least 32 digits); without it, any BitTorrent client.",
        valueName: "file"))
    var peerKeyFile: String?

    @Flag(inversion: .prefixedNo, help: "Send no piece twice before each was sent once (default: on).")
    var superSeed = true

    @OptionGroup(title: "Diagnostics") var log: LogFlags

    func run() async throws {
        let metainfo = try loadTorrent(torrent)
        let (host, port) = try HostPort.parse(listen, flag: "--listen")
        let budget = try parseFlag("--memory-budget", memoryBudget, SettingParsers.size)
        let storage: any PieceStorage
        do {
            if metainfo.length <= Int64(budget), let data = FileManager.default.contents(atPath: payload) {
                guard data.count == metainfo.length else {
                    throw CommandFailure.badInput("\(payload) is \(data.count) bytes; \(torrent) describes \(metainfo.length)")
                }
                storage = MemoryPieceStorage(Array(data))
            } else {
                storage = try FilePieceStorage(path: payload, length: metainfo.length, mode: .readOnly)
            }
        } catch let error as StorageError {
            throw CommandFailure.badInput(error)
        }
        var configuration = SwarmConfiguration(listenHost: host, listenPort: port, superSeeding: superSeed, logger: try log.logger())
        let member: SwarmMember
        do {
            configuration.authenticationKey = try peerKeyFile.map(PeerAuthenticationKey.fromFile)
            member = try await SwarmMember.join(
                metainfo: metainfo,
                storage: storage,
                role: .seeder,
                configuration: configuration,
                tiers: tracker.isEmpty ? nil : tracker.map { [$0] }
            )
        } catch let error as SwarmNodeError {
            throw CommandFailure.badInput(error)
        }
        printLine("seed: \(metainfo.name), info-hash \(metainfo.infoHash), listening on port \(member.node.listenPort); stop with Ctrl-C")
        await TerminationSignal.wait()
        let progress = await member.leave()
        printLine("seed: stopped after uploading \(HumanUnits.bytes(progress?.bytesUploaded ?? 0))")
    }
}

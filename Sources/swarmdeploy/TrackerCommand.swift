import ArgumentParser
import Foundation
import NIOPosix
import TorrentMetainfo
import Tracker

struct TrackerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker",
        abstract: "Run the HTTP tracker alone, until interrupted (for debugging or an existing setup).",
        discussion: """
            Serves BEP 3 announces with BEP 23 compact peer lists. Only the torrents given with \
            --torrent are tracked; announces for others are refused. With --secret, announces \
            must use /SECRET/announce.

            Examples:
              swarmdeploy tracker --listen 0.0.0.0:6969 --torrent release-42.torrent
              swarmdeploy tracker --listen 10.0.0.1:6969 --secret 5f2e... --torrent a.torrent --torrent b.torrent
            """
    )

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
    var listen = "0.0.0.0:6969"

    @Option(help: ArgumentHelp("Require this secret in the announce path (/SECRET/announce).", valueName: "secret"))
    var secret: String?

    @Option(help: ArgumentHelp("A torrent whose swarm this tracker serves; repeatable.", valueName: "file"))
    var torrent: [String] = []

    func run() async throws {
        let (host, port) = try HostPort.parse(listen, flag: "--listen")
        var infoHashes: [InfoHash] = []
        for path in torrent {
            infoHashes.append(try loadTorrent(path).infoHash)
        }
        guard !infoHashes.isEmpty else {
            throw CommandFailure.badInput("give at least one --torrent: the tracker serves only the swarms it knows")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TrackerServer.start(
            host: host, port: port, configuration: .init(secret: secret, torrents: infoHashes), group: group
        )
        printLine("tracker: announce URL \(server.announceURL(host: host == "0.0.0.0" ? "<this host>" : host))")
        printLine("tracker: serving \(infoHashes.map(\.hex).joined(separator: ", ")); stop with Ctrl-C")
        await TerminationSignal.wait()
        try await server.shutdown()
        try await group.shutdownGracefully()
        printLine("tracker: stopped")
    }
}

/// "host:port" and "[v6]:port" for listen flags.
enum HostPort {
    static func parse(_ text: String, flag: String) throws(CommandFailure) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw .badInput("\(flag) \(text): expected HOST:PORT, e.g. 0.0.0.0:6969 or [::]:6969")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// Reads and checks a .torrent file, as bad input when it is not one.
func loadTorrent(_ path: String) throws(CommandFailure) -> Metainfo {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw .badInput("cannot read the torrent \(path): check the path")
    }
    do {
        return try Metainfo(bytes: Array(data))
    } catch {
        throw .badInput("\(path) is not a torrent swarmdeploy can use: \(error)")
    }
}

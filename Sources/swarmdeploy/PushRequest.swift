import Archive
import Deploy
import Foundation
import TorrentMetainfo

/// A push whose inputs are all present and valid; made before any expensive work, so bad
/// input fails fast and nothing is contacted.
struct PushRequest {
    let settings: PushSettings
    let source: String
    let destination: String
    let hostsFile: String
    let hosts: [HostEntry]

    init(settings: PushSettings) throws(CommandFailure) {
        guard let source = settings.source else {
            throw .badInput("no directory to push: give it as 'push DIR to DEST on HOSTS' or set 'source' in the Deployfile")
        }
        guard let destination = settings.destination else {
            throw .badInput("no destination: add 'to DEST' (or --to DEST), or set 'destination' in the Deployfile")
        }
        guard let hostsFile = settings.hostsFile else {
            throw .badInput("no hosts file: add 'on HOSTS' (or --on HOSTS), or set 'hosts' in the Deployfile")
        }
        let normalized = try parseFlag("destination", destination, SettingParsers.destination)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .badInput("source '\(source)' is not a directory: push delivers a directory's contents")
        }
        let hosts: [HostEntry]
        do {
            hosts = try HostsFile.load(path: hostsFile)
        } catch {
            throw .badInput(error)
        }
        self.settings = settings
        self.source = source
        self.destination = normalized
        self.hostsFile = hostsFile
        self.hosts = hosts
    }
}

extension PushRequest {
    /// The source tree as it will be packed; an unreadable or unpackable tree is bad input.
    func scanSource() throws(CommandFailure) -> ArchiveManifest {
        do {
            return try TreeScanner.scan(root: source)
        } catch {
            throw .badInput(error)
        }
    }

    /// How the payload is packed and described, the same for a dry run and a push, so both
    /// show the same info-hash.
    var payloadOptions: PayloadOptions {
        PayloadOptions(
            name: PayloadOptions.tarballName(forSource: source, gzip: settings.gzipLevel != nil),
            pieceLength: settings.pieceSize,
            // The torrent exists only for this push, among our own peers: smaller pieces
            // spread sooner (see `PieceLength.automatic`).
            automaticMinimumPieceLength: PieceLength.deployMinimum,
            gzipLevel: settings.gzipLevel
        )
    }
}

import ArgumentParser
import Archive
import DeployConfiguration
import PayloadPacking
import Swarm
import DeployProtocol
import Foundation
import TorrentMetainfo

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack a directory into a deterministic tarball and a .torrent of it.",
        discussion: """
            Writes NAME.tar (NAME.tar.zst or NAME.tar.gz with --compress) and NAME.torrent. The same tree \
            always gives the same bytes and the same info-hash, so both are good CI artifacts.

            Examples:
              swarmdeploy pack build/ -o release-42
              swarmdeploy pack build/ -o release-42 --compress zstd=3 --piece-size 4MiB
              swarmdeploy pack build/ -o out/release --tracker http://t1:6969/announce,http://t2:6969/announce
              swarmdeploy pack build/ -o release-42 --web-seed http://artifacts.internal/releases/
            """
    )

    @Argument(help: "The directory to pack.")
    var directory: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output name: writes NAME.tar[.zst|.gz] and NAME.torrent.", valueName: "name"))
    var output: String

    @OptionGroup var payload: PayloadFlags

    @Option(
        name: .customLong("web-seed"),
        help: ArgumentHelp(
            "Record an HTTP(S) URL the tarball will be served at (BEP 19 url-list; a URL ending in '/' is its directory); repeat for more.",
            discussion: "Outside the info dictionary: the info-hash stays the same. 'push --torrent' and standard clients fetch pieces from it.",
            valueName: "url"))
    var webSeeds: [String] = []

    @Flag(help: "Mark the torrent private (BEP 27): clients use only its trackers to find peers.")
    var `private` = false

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    func run() throws {
        let compression = try payload.compression() ?? .none
        for url in webSeeds {
            do {
                _ = try WebSeed(url, fileName: "payload")
            } catch {
                throw CommandFailure.badInput("--web-seed \(url): \(error.reason); give an http:// or https:// URL of the tarball or of its directory (ending in '/')")
            }
        }
        var options = PayloadOptions(
            name: "",
            pieceLength: try payload.pieceLength(),
            compression: compression,
            trackers: try payload.trackerTiers(),
            isPrivate: `private`,
            createdBy: "swarmdeploy \(SwarmdeployVersion.current)"
        )
        options.webSeeds = webSeeds
        let base = Self.baseName(output)
        let archivePath = base + compression.fileExtension
        let torrentPath = base + ".torrent"

        let manifest: ArchiveManifest
        do {
            manifest = try TreeScanner.scan(root: directory)
        } catch {
            throw CommandFailure.badInput(error)
        }

        let started = ContinuousClock.now
        let archive = try FileSink(path: archivePath)
        var named = options
        named.name = (archivePath as NSString).lastPathComponent
        let progress = ProgressLine(label: "packing", total: manifest.tarLength)
        let built: Payload
        do {
            built = try PayloadBuilder.build(manifest, options: named, progress: progress.update) { chunk in
                try archive.write(chunk)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.badInput(error)
        }
        progress.finish()
        try archive.commit()
        let torrent = try FileSink(path: torrentPath)
        try torrent.write(built.metainfo.bytes)
        try torrent.commit()
        let seconds = (ContinuousClock.now - started).inSeconds

        let summary = PackSummary(
            source: directory, archive: archivePath, torrent: torrentPath, payload: built, seconds: seconds
        )
        print(json ? try summary.json() : summary.text())
    }

    /// "out/release-42.tar.gz" and "out/release-42" both mean "out/release-42".
    static func baseName(_ output: String) -> String {
        for suffix in [".tar.gz", ".tgz", ".tar", ".torrent"] where output.hasSuffix(suffix) {
            return String(output.dropLast(suffix.count))
        }
        return output
    }
}

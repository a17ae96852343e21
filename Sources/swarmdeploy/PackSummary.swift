import DeployConfiguration
import PayloadPacking
import Foundation
import TorrentMetainfo

/// What `pack` made, for people and for CI.
struct PackSummary: Encodable {
    let source: String
    let archive: String
    let archiveBytes: Int64
    let torrent: String
    let infoHash: String
    let sha256: String
    let pieceLength: Int
    let pieceCount: Int
    let files: Int
    let directories: Int
    let symlinks: Int
    let payloadBytes: Int64
    /// Files whose data starts on a piece boundary, and the bytes their padded headers add.
    let alignedFiles: Int
    let paddingBytes: Int64
    let seconds: Double

    init(source: String, archive: String, torrent: String, payload: Payload, seconds: Double) {
        self.source = source
        self.archive = archive
        self.archiveBytes = payload.archiveLength
        self.torrent = torrent
        self.infoHash = payload.metainfo.infoHash.hex
        self.sha256 = Hex.encode(payload.metainfo.payloadSHA256 ?? [])
        self.pieceLength = payload.metainfo.pieceLength
        self.pieceCount = payload.metainfo.pieceCount
        self.files = payload.manifest.fileCount
        self.directories = payload.manifest.directoryCount
        self.symlinks = payload.manifest.symlinkCount
        self.payloadBytes = payload.manifest.payloadBytes
        self.alignedFiles = payload.manifest.paddedHeaders.count
        self.paddingBytes = payload.manifest.paddingBytes
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case source, archive, torrent, sha256, files, directories, symlinks, seconds
        case archiveBytes = "archive_bytes"
        case infoHash = "info_hash"
        case pieceLength = "piece_length"
        case pieceCount = "piece_count"
        case payloadBytes = "payload_bytes"
        case alignedFiles = "aligned_files"
        case paddingBytes = "padding_bytes"
    }

    func text() -> String {
        let rate = seconds > 0 ? HumanUnits.bytes(Int64(Double(archiveBytes) / seconds)) + "/s" : "-"
        return """
            packed \(source): \(HumanUnits.count(files, "file")), \(HumanUnits.count(directories, "directory", plural: "directories")), \(HumanUnits.count(symlinks, "symlink")), \(HumanUnits.bytes(payloadBytes))
              archive    \(archive) (\(HumanUnits.bytes(archiveBytes)))
              torrent    \(torrent) (\(HumanUnits.count(pieceCount, "piece")) of \(HumanUnits.bytes(Int64(pieceLength))))
              aligned    \(HumanUnits.count(alignedFiles, "file")) on piece boundaries, padding \(HumanUnits.bytes(paddingBytes))
              info-hash  \(infoHash)
              sha256     \(sha256)
              took       \(HumanUnits.duration(seconds)) (\(rate))
            """
    }

    func json() throws -> String {
        try JSONOutput.text(self)
    }
}

import Archive
import Crypto
import Foundation
import Swarm
import TorrentMetainfo

extension PackedPayload {
    /// A release `swarmdeploy pack` made earlier (in a CI build job, say): its torrent, and its
    /// tarball — `payload`, or the file the torrent names beside the torrent. Nothing is
    /// re-packed: the hosts get the very archive, info-hash and piece hashes CI produced. The
    /// tarball is checked against the torrent first (every piece's SHA-1, the whole file's
    /// SHA-256 when the torrent records it) and read through as a tar stream for what the hosts
    /// need to know before they download (its length unpacked and the bytes of its files),
    /// so a tarball that does not match fails here, before any host is contacted.
    /// `progress` gets the bytes checked so far and the total.
    ///
    /// With `seeding` false (`--no-local-seed`) the tarball need not be here: when it is not,
    /// the torrent's own record of the tree (`Metainfo.tarLength`, `treeBytes`) tells the hosts
    /// what to expect, and they verify every piece they fetch as always.
    public static func release(
        torrent torrentPath: String, payload payloadPath: String?, seeding: Bool = true,
        progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws(PushError) -> PackedPayload {
        let metainfo = try readTorrent(torrentPath)
        let tarballPath = payloadPath ?? ((torrentPath as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(metainfo.name)
        if !seeding, payloadPath == nil, !FileManager.default.fileExists(atPath: tarballPath) {
            guard let tarLength = metainfo.tarLength, let treeBytes = metainfo.treeBytes else {
                throw PushError(
                    .invalidRequest, "\(torrentPath) does not record the size of its tree, and its tarball is not beside it",
                    remedy: "give the tarball with --payload FILE, or pack the release with this version of swarmdeploy")
            }
            return PackedPayload(
                metainfo: metainfo, storage: nil, archiveLength: metainfo.length, extractedBytes: treeBytes, tarBytes: tarLength)
        }
        let storage: FilePieceStorage
        do {
            storage = try FilePieceStorage(path: tarballPath, length: metainfo.length, mode: .readOnly)
        } catch {
            let remedy = payloadPath == nil
                ? "put the tarball beside the torrent as \(metainfo.name), or name it with --payload FILE"
                : "give the tarball this torrent was made from"
            throw PushError(.invalidRequest, "the payload for \(torrentPath): \(error)", remedy: remedy)
        }
        let measured = try check(storage, path: tarballPath, against: metainfo, torrentPath: torrentPath, progress: progress)
        var packed = PackedPayload(
            metainfo: metainfo, storage: storage, archiveLength: metainfo.length, extractedBytes: measured.fileBytes,
            tarBytes: measured.tarBytes)
        packed.tally = measured
        return packed
    }

    static func readTorrent(_ path: String) throws(PushError) -> Metainfo {
        let bytes: [UInt8]
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Metainfo.maximumSize else {
                throw PushError(.invalidRequest, "\(path) is \(size) bytes, more than any torrent (\(Metainfo.maximumSize))")
            }
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as PushError {
            throw error
        } catch {
            throw PushError(.invalidRequest, "cannot read the torrent \(path): \(error.localizedDescription)", remedy: "give the .torrent 'swarmdeploy pack' wrote")
        }
        do {
            return try Metainfo(bytes: bytes)
        } catch {
            throw PushError(.invalidRequest, "\(path) is not a usable torrent: \(error)", remedy: "give the .torrent 'swarmdeploy pack' wrote")
        }
    }

    /// One pass over the tarball: piece hashes, the SHA-256, and the tar stream's measure.
    private static func check(
        _ storage: FilePieceStorage, path: String, against metainfo: Metainfo, torrentPath: String,
        progress: (Int64, Int64) -> Void
    ) throws(PushError) -> ArchiveMeasurement.Tally {
        func mismatch(_ what: String) -> PushError {
            PushError(
                .invalidRequest, "\(path) does not match \(torrentPath): \(what)",
                remedy: "the tarball was changed or belongs to another release; give the pair 'swarmdeploy pack' wrote")
        }
        var limits = ExtractionLimits()
        limits.maxExtensionBytes = ExtractionLimits.extensionBytes(forPieceLength: metainfo.pieceLength)
        var whole = SHA256()
        var buffer = [UInt8](repeating: 0, count: metainfo.pieceLength)
        do {
            let measurement = try ArchiveMeasurement(limits: limits)
            for piece in 0..<metainfo.pieceCount {
                let length = metainfo.expectedLength(ofPiece: piece)
                let offset = Int64(piece) * Int64(metainfo.pieceLength)
                try buffer.withUnsafeMutableBytes { all in
                    try storage.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: all[..<length]))
                }
                let matches = buffer.withUnsafeBytes { all in
                    Insecure.SHA1.hash(data: UnsafeRawBufferPointer(rebasing: all[..<length])).elementsEqual(metainfo.pieceHash(at: piece))
                }
                guard matches else { throw mismatch("piece \(piece) (bytes \(offset)-\(offset + Int64(length) - 1)) differs") }
                try buffer.withUnsafeBytes { all in
                    let bytes = UnsafeRawBufferPointer(rebasing: all[..<length])
                    whole.update(bufferPointer: bytes)
                    try measurement.feed(bytes)
                }
                progress(offset + Int64(length), metainfo.length)
            }
            if let expected = metainfo.payloadSHA256, !whole.finalize().elementsEqual(expected) {
                throw mismatch("every piece matches but the SHA-256 of the whole file does not")
            }
            return try measurement.finish()
        } catch let error as PushError {
            throw error
        } catch {
            throw PushError(.invalidRequest, "\(path) matches \(torrentPath) but is not a usable tarball: \(error)", remedy: "push a tarball made by 'swarmdeploy pack'")
        }
    }
}

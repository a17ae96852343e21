import ArgumentParser
import Glibc
import PeerAgent
import TorrentMetainfo

/// Checks a downloaded payload against its torrent: every piece's SHA-1, and the whole
/// payload's SHA-256 when the torrent carries one.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a payload file against a .torrent (piece SHA-1s and whole-file SHA-256).",
        discussion: "Exits 0 when the payload matches, 1 and names the first bad piece otherwise."
    )

    @Argument(help: "The .torrent file.") var torrent: String
    @Argument(help: "The payload file it describes.") var payload: String

    func run() throws {
        let metainfo = try Metainfo(bytes: try readWholeFile(torrent, limit: 64 << 20))
        let fd = open(payload, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PeerFailure("cannot open \(payload): \(String(cString: strerror(errno)))") }
        defer { close(fd) }

        var hasher = PieceHasher(pieceLength: metainfo.pieceLength)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PeerFailure("reading \(payload) failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        let hashed = hasher.finish()
        guard hashed.length == metainfo.length else {
            throw PeerFailure("\(payload) is \(hashed.length) bytes; the torrent describes \(metainfo.length)")
        }
        for index in 0..<metainfo.pieceCount {
            let ours = hashed.pieceHashes[(index * 20)..<(index * 20 + 20)]
            guard ours.elementsEqual(metainfo.pieceHash(at: index)) else {
                throw PeerFailure("piece \(index) of \(payload) does not match the torrent's SHA-1")
            }
        }
        if let expected = metainfo.payloadSHA256, expected != hashed.sha256 {
            throw PeerFailure("\(payload): SHA-256 of the whole payload does not match the torrent")
        }
        print("\(payload): \(metainfo.pieceCount) pieces verified, info-hash \(metainfo.infoHash)")
    }
}

/// Writes a whole line to standard error in one write(2), unbuffered.
func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

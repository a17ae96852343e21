// Feeds arbitrary bytes to Metainfo(bytes:), the .torrent reader every peer runs on its job's torrent.
// Checks piece counts, lengths and blocks add up, and that the builder rebuilds the same torrent and info-hash.
import Bencode
import FuzzSupport
import TorrentMetainfo

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetainfo(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    let metainfo: Metainfo
    do {
        metainfo = try Metainfo(bytes: bytes)
    } catch {
        _ = error.description
        return 0
    }
    checkGeometry(metainfo)
    checkRebuild(metainfo, bytes: bytes)
    return 0
}

/// Pieces cover the payload exactly, and blocks cover each piece exactly.
private func checkGeometry(_ metainfo: Metainfo) {
    let geometry = metainfo.geometry
    expect(metainfo.pieceCount >= 1, "an accepted torrent has no pieces")
    expect(metainfo.pieceHashes.count == 20 * metainfo.pieceCount, "piece hashes do not match the piece count")
    expect(metainfo.length > 0 && geometry.totalLength == metainfo.length, "geometry length differs")
    let last = metainfo.pieceCount - 1
    expect(geometry.lastPieceLength >= 1 && geometry.lastPieceLength <= metainfo.pieceLength, "bad last piece length")
    expect(
        Int64(last) * Int64(metainfo.pieceLength) + Int64(metainfo.expectedLength(ofPiece: last)) == metainfo.length,
        "pieces do not add up to the payload length")
    for piece in Set([0, last]) {
        expect(metainfo.pieceHash(at: piece).count == 20, "piece hash \(piece) is not 20 bytes")
        var covered = 0
        for block in 0..<geometry.blockCount(inPiece: piece) {
            let length = geometry.blockLength(at: block * PieceGeometry.blockLength, inPiece: piece)
            expect(length >= 1 && length <= PieceGeometry.blockLength, "block \(block) of piece \(piece) is \(length) bytes")
            covered += length
        }
        expect(covered == metainfo.expectedLength(ofPiece: piece), "blocks do not cover piece \(piece)")
    }
    expect(metainfo.trackerTiers.allSatisfy { !$0.isEmpty }, "an empty tracker tier survived")
}

/// What the reader accepted, the builder writes back; when the info dictionary holds just
/// the builder's keys, the info-hash must come out the same.
private func checkRebuild(_ metainfo: Metainfo, bytes: [UInt8]) {
    guard let sha256 = metainfo.payloadSHA256 else { return }
    let payload = HashedPayload(
        length: metainfo.length, pieceLength: metainfo.pieceLength, pieceHashes: metainfo.pieceHashes, sha256: sha256)
    var builder = MetainfoBuilder(name: metainfo.name, payload: payload)
    builder.isPrivate = metainfo.isPrivate
    let rebuilt: Metainfo
    do {
        rebuilt = try builder.build()
    } catch {
        expect(false, "the builder refused what the reader accepted: \(error)")
        return
    }
    expect(rebuilt.name == metainfo.name && rebuilt.length == metainfo.length, "rebuilt name or length differs")
    expect(rebuilt.pieceHashes == metainfo.pieceHashes && rebuilt.isPrivate == metainfo.isPrivate, "rebuilt info differs")

    guard let info = (try? BencodeDecoder().decode(bytes))?["info"]?.dictionary else { return }
    var builderKeys: Set<String> = ["name", "length", "piece length", "pieces", "sha256"]
    if metainfo.isPrivate { builderKeys.insert("private") }
    if Set(info.keys.map { String(decoding: $0, as: UTF8.self) }) == builderKeys && info.keys.count == builderKeys.count {
        expect(rebuilt.infoHash == metainfo.infoHash, "same info dictionary, different info-hash")
    }
}

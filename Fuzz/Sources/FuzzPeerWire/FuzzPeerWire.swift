// Feeds a peer's byte stream to PeerWireDecoder, whole and through an EmbeddedChannel in fuzzer-chosen chunks.
// Checks both ways give the same events and error, that the events re-encode and decode back, and bitfield counts.
import FuzzSupport
import NIOCore
import NIOEmbedded
import PeerWire
import TorrentMetainfo

/// The info-hash a connection expects when the configuration asks for one; the seeds use it.
private let expectedInfoHash = InfoHash(bytes: Array(repeating: 0xAB, count: InfoHash.byteCount))

/// The first 8 input bytes choose how the decoder is set up and where the stream is cut;
/// the rest is what the remote peer sent.
private struct Configuration {
    static let byteCount = 8
    let expectsHandshake: Bool
    let advertisesFastExtension: Bool
    let advertisesAuthentication: Bool
    let expectsInfoHash: Bool
    let limits: PeerWireLimits
    let chunkSeed: UInt64

    init(_ bytes: ArraySlice<UInt8>) {
        let header = Array(bytes)
        let flags = header[0]
        expectsHandshake = flags & 0x01 == 0
        advertisesFastExtension = flags & 0x02 != 0
        advertisesAuthentication = flags & 0x04 != 0
        expectsInfoHash = flags & 0x08 != 0
        let pieceCount = 1 + (Int(header[1]) << 8 | Int(header[2])) % 2048
        let maxBlockLength = header[4] == 0 ? PeerWireLimits.defaultMaxBlockLength : min(Int(header[4]) * 1024, PeerWireLimits.largestMaxBlockLength)
        if flags & 0x10 != 0 {
            let pieceLength = PieceGeometry.blockLength << Int(header[3] % 4)
            let shortfall = Int64(header[3] >> 2) * 997 % Int64(pieceLength)
            let geometry = try! PieceGeometry(totalLength: Int64(pieceCount) * Int64(pieceLength) - shortfall, pieceLength: pieceLength)
            limits = PeerWireLimits(geometry: geometry, maxBlockLength: maxBlockLength)
        } else {
            limits = PeerWireLimits(pieceCount: pieceCount, maxBlockLength: maxBlockLength)
        }
        chunkSeed = UInt64(header[5]) << 16 | UInt64(header[6]) << 8 | UInt64(header[7])
    }

    func makeDecoder() -> PeerWireDecoder {
        PeerWireDecoder(
            limits: limits, expectsHandshake: expectsHandshake, expectedInfoHash: expectsInfoHash ? expectedInfoHash : nil,
            advertisesFastExtension: advertisesFastExtension, advertisesAuthentication: advertisesAuthentication)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPeerWire(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    guard bytes.count >= Configuration.byteCount else { return 0 }
    let configuration = Configuration(bytes.prefix(Configuration.byteCount))
    let stream = Array(bytes.dropFirst(Configuration.byteCount))

    let whole = decodeWhole(stream, configuration)
    let chunked = decodeInChannel(stream, configuration)
    expect(chunked.events == whole.events, "chunked decoding gave other events than decoding the whole stream")
    expect(chunked.error == whole.error, "chunked decoding failed as \(String(describing: chunked.error)), whole as \(String(describing: whole.error))")
    if let error = whole.error { _ = "\(error)" }

    // What was decoded encodes back to a stream that decodes to the same events.
    var encoded = ByteBuffer()
    for event in whole.events {
        encoded.writePeerWireEvent(event)
        _ = "\(event)"
        if case .message(.bitfield(let bitfield)) = event { checkBitfield(bitfield, pieceCount: configuration.limits.pieceCount) }
    }
    let again = decodeWhole(Array(encoded.readableBytesView), configuration)
    expect(again.error == nil && again.events == whole.events, "re-encoded events decode differently: \(String(describing: again.error))")
    return 0
}

private struct Decoded {
    var events: [PeerWireEvent] = []
    var error: PeerWireError?
}

private func decodeWhole(_ stream: [UInt8], _ configuration: Configuration) -> Decoded {
    var decoder = configuration.makeDecoder()
    var buffer = ByteBuffer(bytes: stream)
    var result = Decoded()
    do {
        while let event = try decoder.decodeEvent(from: &buffer) {
            result.events.append(event)
        }
    } catch {
        result.error = error
    }
    return result
}

/// As a connection gets it: the production pipeline in an EmbeddedChannel, one chunk per read.
private func decodeInChannel(_ stream: [UInt8], _ configuration: Configuration) -> Decoded {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    try! channel.pipeline.syncOperations.addPeerWireCodec(decoder: configuration.makeDecoder())
    var result = Decoded()
    var offset = 0
    for length in ChunkPlan.lengths(total: stream.count, seed: configuration.chunkSeed, maximum: 300) {
        defer { offset += length }
        do {
            try channel.writeInbound(channel.allocator.buffer(bytes: stream[offset..<offset + length]))
        } catch let error as PeerWireError {
            result.error = error
        } catch {
            expect(false, "the pipeline failed with a non-PeerWireError: \(error)")
        }
        while let event = try! channel.readInbound(as: PeerWireEvent.self) {
            result.events.append(event)
        }
        if result.error != nil { break }
    }
    return result
}

/// A received bitfield counts, tests and changes its bits consistently.
private func checkBitfield(_ bitfield: Bitfield, pieceCount: Int) {
    expect(bitfield.pieceCount == pieceCount, "bitfield for \(bitfield.pieceCount) pieces, torrent has \(pieceCount)")
    let set = (0..<pieceCount).filter { bitfield.contains(PieceIndex($0)) }
    expect(set.count == bitfield.count, "bitfield count \(bitfield.count) but \(set.count) pieces test set")
    expect(bitfield.isComplete == (set.count == pieceCount) && bitfield.isEmpty == set.isEmpty, "complete/empty flags disagree")
    expect(!bitfield.contains(PieceIndex(pieceCount)), "a piece past the end tests set")
    expect((try? Bitfield(pieceCount: pieceCount, wireBytes: bitfield.bytes)) == bitfield, "bitfield bytes do not read back")
    var changed = bitfield
    let piece = PieceIndex(set.first ?? 0)
    let wasSet = changed.contains(piece)
    expect(changed.remove(piece) == wasSet && !changed.contains(piece), "remove did not clear the piece")
    expect(changed.insert(piece) && changed.contains(piece), "insert did not set the piece")
    expect(Bitfield.full(pieceCount: pieceCount).isComplete, "a full bitfield is not complete")
}

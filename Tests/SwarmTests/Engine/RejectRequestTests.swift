import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

/// BEP 6 on the wire, against a super-seeder over loopback: a request it will not serve (a
/// piece outside the peer's window) is answered with `reject_request` when the peer set the
/// Fast bit, so the peer can ask elsewhere at once; without the bit it is dropped (BEP 3).
@Suite("reject_request from a super-seeder")
struct RejectRequestTests {
    @Test("a piece outside the window is rejected with BEP 6 and dropped without it; the window's piece is served", arguments: [true, false])
    func rejectsWhatItWillNotServe(fast: Bool) async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 31)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true, superSeedWindow: 1)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
        let fd = try Loopback.silentConnection(port: seeder.listenPort)
        defer { close(fd) }
        var wire = RawWire(fd: fd)

        var reserved = [UInt8](repeating: 0, count: 8)
        if fast { reserved[7] = 0x04 }
        let hello = [19] + Array("BitTorrent protocol".utf8) + reserved + metainfo.infoHash.bytes + PeerID.generate().bytes
        try wire.send(hello + RawWire.message(2))  // handshake, interested
        let handshake = try wire.read(count: 68)
        #expect(handshake[27] & 0x04 != 0, "the seeder does not offer BEP 6")

        // The super-seeder shows a window of one piece and unchokes.
        var shown: [Int] = []
        var unchoked = false
        while !unchoked || shown.isEmpty {
            let (id, body) = try wire.message()
            if id == 4 { shown.append(RawWire.integer(body, at: 0)) }
            if id == 1 { unchoked = true }
        }
        let outside = try #require((0..<metainfo.pieceCount).first { !shown.contains($0) })
        try wire.send(RawWire.request(piece: outside) + RawWire.request(piece: shown[0]))

        // Requests are answered in order: a reject (or nothing) for the first, the block for the second.
        var rejected: [Int] = []
        var served: [Int] = []
        while served.isEmpty {
            let (id, body) = try wire.message()
            if id == 16 { rejected.append(RawWire.integer(body, at: 0)) }
            if id == 7 { served.append(RawWire.integer(body, at: 0)) }
        }
        #expect(served == [shown[0]])
        #expect(rejected == (fast ? [outside] : []))
        await seeder.shutdown()
    }

    @Test("BEP 6 messages from a peer that set the bit are understood, not taken for a protocol error")
    func fastMessagesAreUnderstood() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 256 << 10, pieceLength: 64 << 10, seed: 32)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: false)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
        let fd = try Loopback.silentConnection(port: seeder.listenPort)
        defer { close(fd) }
        var wire = RawWire(fd: fd)
        let reserved: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0x04]
        let hello = [19] + Array("BitTorrent protocol".utf8) + reserved + metainfo.infoHash.bytes + PeerID.generate().bytes
        // have_none, then interested: a node that refused BEP 6 would close here.
        try wire.send(hello + RawWire.message(0x0F) + RawWire.message(2))
        _ = try wire.read(count: 68)
        var unchoked = false
        while !unchoked { unchoked = try wire.message().id == 1 }
        try wire.send(RawWire.request(piece: 0))
        while try wire.message().id != 7 {}
        await seeder.shutdown()
    }
}

/// A BitTorrent connection spoken byte by byte, for tests that must see the wire itself.
struct RawWire {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func send(_ bytes: [UInt8]) throws {
        guard Glibc.send(fd, bytes, bytes.count, 0) == bytes.count else { throw TestSetupError("send failed") }
    }

    /// Exactly `count` bytes, waiting at most five seconds for each read.
    mutating func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 5000) > 0 else { throw TestSetupError("nothing arrived for 5 s") }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let got = recv(fd, &chunk, chunk.count, 0)
            guard got > 0 else { throw TestSetupError("the connection closed") }
            buffer += chunk[..<got]
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// The next message other than a keep-alive: its id and payload.
    mutating func message() throws -> (id: UInt8, body: [UInt8]) {
        while true {
            let length = Self.integer(try read(count: 4), at: 0)
            guard length > 0 else { continue }
            let bytes = try read(count: length)
            return (bytes[0], Array(bytes[1...]))
        }
    }

    static func message(_ id: UInt8, _ body: [UInt8] = []) -> [UInt8] {
        bigEndian(1 + body.count) + [id] + body
    }

    static func request(piece: Int) -> [UInt8] {
        message(6, bigEndian(piece) + bigEndian(0) + bigEndian(16 << 10))
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func integer(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
}

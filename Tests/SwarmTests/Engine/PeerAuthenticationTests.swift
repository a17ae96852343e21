import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

/// Nodes holding a push's key serve only peers that hold it too, and only from the
/// addresses they were told of; on loopback, with real connections.
@Suite struct PeerAuthenticationTests {
    static let key = PeerAuthenticationKey.random()

    static func keyed(_ key: PeerAuthenticationKey?, admitting addresses: [String]? = nil) -> SwarmConfiguration {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        configuration.authenticationKey = key
        configuration.admittedAddresses = addresses
        return configuration
    }

    @Test func nodesHoldingTheKeyShareThePayload() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 2 << 20 | 99, pieceLength: 64 << 10, seed: 21)
        let swarm = try await LocalSwarm.start(bytes: bytes, metainfo: metainfo, downloaders: 3, configuration: Self.keyed(Self.key))
        defer { swarm.removeFiles() }
        try await SwarmNodeTests.withTimeout(30) {
            for node in swarm.downloaders { try await node.waitUntilComplete() }
        }
        for path in swarm.paths { #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes)) }
        for node in swarm.downloaders { await node.shutdown() }
        await swarm.seeder.shutdown()
    }

    @Test("a client without the key, or with another, gets no piece", arguments: [nil, PeerAuthenticationKey.random()])
    func outsidersGetNothing(outsiderKey: PeerAuthenticationKey?) async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 22)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: Self.keyed(Self.key))
        let directory = try TemporaryDirectory("auth")
        var plain = SwarmConfiguration(listenHost: "127.0.0.1")
        plain.authenticationKey = outsiderKey
        let outsider = try await LocalSwarm.downloader(metainfo: metainfo, path: directory.path("o.tar"), configuration: plain)
        outsider.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await Task.sleep(for: .seconds(2))
        let progress = try await outsider.progress
        #expect(progress.bytesDownloaded == 0)
        #expect(progress.connectedPeers == 0)
        #expect(try await seeder.progress.bytesUploaded == 0)
        await outsider.shutdown()
        await seeder.shutdown()
    }

    @Test func aBareHandshakeAndInterestAreAnsweredByAClose() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 23)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: Self.keyed(Self.key))
        let fd = try Loopback.silentConnection(port: seeder.listenPort)
        defer { close(fd) }
        // A plain BitTorrent handshake for the right torrent, then "interested".
        var hello: [UInt8] = [19] + Array("BitTorrent protocol".utf8) + Array(repeating: 0, count: 8)
        hello += metainfo.infoHash.bytes + PeerID.generate().bytes + [0, 0, 0, 1, 2]
        #expect(send(fd, hello, hello.count, 0) == hello.count)
        #expect(Loopback.isClosedByPeer(fd, within: .seconds(3)) || Self.receivedNoPiece(fd))
        #expect(try await seeder.progress.bytesUploaded == 0)
        await seeder.shutdown()
    }

    /// Reads what the seeder sent until it closes: its handshake, nothing else.
    static func receivedNoPiece(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count <= 68
    }

    @Test func connectionsFromOtherAddressesCloseBeforeTheHandshake() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 24)
        // Only 127.0.0.2 is a host of this push; the test connects from 127.0.0.1.
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder,
            configuration: Self.keyed(Self.key, admitting: ["127.0.0.2"]))
        let fd = try Loopback.silentConnection(port: seeder.listenPort)
        defer { close(fd) }
        // Well before the 10 s handshake deadline.
        #expect(Loopback.isClosedByPeer(fd, within: .seconds(1)))
        let admitted = try Loopback.silentConnection(port: seeder.listenPort, from: "127.0.0.2")
        defer { close(admitted) }
        #expect(!Loopback.isClosedByPeer(admitted, within: .seconds(1)))
        await seeder.shutdown()
    }

    @Test func aNodeAdmitsTheAddressesItConnectsTo() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 25)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder,
            configuration: Self.keyed(Self.key, admitting: ["127.0.0.2"]))
        let directory = try TemporaryDirectory("auth")
        let downloader = try await LocalSwarm.downloader(
            metainfo: metainfo, path: directory.path("d.tar"), configuration: Self.keyed(Self.key))
        // The seeder learns of a peer at 127.0.0.1 as its tracker would tell it (nothing
        // listens there), then a peer from that address connects to the seeder.
        seeder.connect(to: [(host: "127.0.0.1", port: try Loopback.freePort())])
        try await Task.sleep(for: .milliseconds(200))
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await SwarmNodeTests.withTimeout(30) { try await downloader.waitUntilComplete() }
        await downloader.shutdown()
        await seeder.shutdown()
    }
}

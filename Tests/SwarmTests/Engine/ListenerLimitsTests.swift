import Foundation
@testable import Swarm
import Testing
import TestSupport
import TorrentMetainfo

/// A node's listener cannot be filled with connections that never complete the handshake.
@Suite struct ListenerLimitsTests {
    static func seeder(_ configuration: SwarmConfiguration) async throws -> SwarmNode {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 256 << 10, pieceLength: 64 << 10, seed: 7)
        return try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
    }

    @Test func aConnectionThatNeverHandshakesIsClosedAtTheDeadline() async throws {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.handshakeTimeout = .milliseconds(500)
        let node = try await Self.seeder(configuration)
        let fd = try Loopback.silentConnection(port: node.listenPort)
        defer { close(fd) }
        let started = ContinuousClock.now
        #expect(Loopback.isClosedByPeer(fd, within: .seconds(5)))
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        await node.shutdown()
    }

    @Test func handshakesPendingFromOneAddressAreCapped() async throws {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.maxPendingHandshakesPerAddress = 3
        let node = try await Self.seeder(configuration)
        let waiting = try (0..<3).map { _ in try Loopback.silentConnection(port: node.listenPort) }
        defer { waiting.forEach { close($0) } }
        // Accepted in order: the fourth finds three pending from 127.0.0.1.
        try await Task.sleep(for: .milliseconds(200))
        let extra = try Loopback.silentConnection(port: node.listenPort)
        defer { close(extra) }
        #expect(Loopback.isClosedByPeer(extra, within: .seconds(2)))
        for fd in waiting { #expect(!Loopback.isClosedByPeer(fd, within: .milliseconds(100))) }
        await node.shutdown()
    }

    @Test func handshakesPendingInAllAreCapped() async throws {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.maxPendingHandshakes = 2
        let node = try await Self.seeder(configuration)
        let waiting = try (0..<2).map { _ in try Loopback.silentConnection(port: node.listenPort) }
        defer { waiting.forEach { close($0) } }
        try await Task.sleep(for: .milliseconds(200))
        let extra = try Loopback.silentConnection(port: node.listenPort)
        defer { close(extra) }
        #expect(Loopback.isClosedByPeer(extra, within: .seconds(2)))
        await node.shutdown()
    }
}

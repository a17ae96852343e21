import Foundation
import Testing
import TestSupport
@testable import Tracker

/// The tracker's listener cannot be held open by clients that never finish a request, nor
/// flooded with connections that share the controller's descriptors.
@Suite struct TrackerListenerLimitsTests {
    static let torrent = Fixtures.infoHash(0xB0)

    /// One byte every 200 ms resets any idle timer; the request deadline does not move.
    @Test func aRequestDribbledAByteAtATimeIsCutOff() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent], requestTimeout: .seconds(1))
        defer { Task { try? await server.shutdown() } }
        let fd = try Loopback.silentConnection(port: server.port)
        defer { close(fd) }
        let started = ContinuousClock.now
        var closed = false
        for byte in Array("GET /\(TrackerLoopback.secret)/announce?info_hash=".utf8) {
            var byte = byte
            _ = send(fd, &byte, 1, Int32(MSG_NOSIGNAL))
            if Loopback.isClosedByPeer(fd, within: .milliseconds(200)) {
                closed = true
                break
            }
        }
        #expect(closed, "still open after \(ContinuousClock.now - started)")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// Connections are accepted on several event loops, so which of four goes is not fixed:
    /// exactly one does.
    @Test func connectionsBeyondTheCapAreClosedAtOnce() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent], maximumConnections: 3)
        defer { Task { try? await server.shutdown() } }
        let connections = try (0..<4).map { _ in try Loopback.silentConnection(port: server.port) }
        defer { connections.forEach { close($0) } }
        try await Task.sleep(for: .milliseconds(300))
        let closed = connections.filter { Loopback.isClosedByPeer($0, within: .milliseconds(100)) }
        #expect(closed.count == 1, "\(closed.count) of 4 closed with a cap of 3")

        // A connection that goes frees its place.
        let open = connections.filter { !closed.contains($0) }
        try #require(open.count == 3)
        shutdown(open[0], Int32(SHUT_RDWR))
        try await Task.sleep(for: .milliseconds(300))
        let next = try Loopback.silentConnection(port: server.port)
        defer { close(next) }
        #expect(!Loopback.isClosedByPeer(next, within: .milliseconds(300)))
    }

    /// A flood from one address leaves places for the push's other hosts.
    @Test func connectionsFromOneAddressAreCapped() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent], maximumConnectionsPerAddress: 2)
        defer { Task { try? await server.shutdown() } }
        let flood = try (0..<3).map { _ in try Loopback.silentConnection(port: server.port) }
        defer { flood.forEach { close($0) } }
        try await Task.sleep(for: .milliseconds(300))
        let closed = flood.filter { Loopback.isClosedByPeer($0, within: .milliseconds(100)) }
        #expect(closed.count == 1, "\(closed.count) of 3 closed with 2 allowed per address")
        let other = try Loopback.silentConnection(port: server.port, from: "127.0.0.2")
        defer { close(other) }
        #expect(!Loopback.isClosedByPeer(other, within: .milliseconds(300)))
    }
}

import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport
import TorrentMetainfo
@testable import Tracker
import PeerWire

/// Our client against our server, over real sockets on 127.0.0.1.
@Suite struct TrackerServerTests {
    static let torrent = Fixtures.infoHash(0xA0)

    @Test func peersFindEachOtherInCompactAndNonCompactResponses() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let client = try TrackerLoopback.client(for: server)

        for (index, letter) in "ABC".enumerated() {
            let response = try await client.announce(
                Fixtures.request(Self.torrent, peer: letter, port: UInt16(7001 + index), event: .started))
            #expect(response.peers.count == index, "peer \(letter) sees those before it")
            #expect(response.interval == .seconds(10))
        }
        let compact = try await client.announce(Fixtures.request(Self.torrent, peer: "A", port: 7001))
        #expect(Set(compact.peers) == [
            AnnouncedPeer(peerID: nil, endpoint: TrackerLoopback.endpoint(port: 7002)),
            AnnouncedPeer(peerID: nil, endpoint: TrackerLoopback.endpoint(port: 7003)),
        ])
        #expect(compact.incomplete == 3 && compact.complete == 0)

        let full = try await client.announce(Fixtures.request(Self.torrent, peer: "B", port: 7002, compact: false))
        #expect(Set(full.peers) == [
            AnnouncedPeer(peerID: Fixtures.peerID("A"), endpoint: TrackerLoopback.endpoint(port: 7001)),
            AnnouncedPeer(peerID: Fixtures.peerID("C"), endpoint: TrackerLoopback.endpoint(port: 7003)),
        ])
        var anonymous = Fixtures.request(Self.torrent, peer: "B", port: 7002, compact: false)
        anonymous.noPeerID = true
        #expect(try await client.announce(anonymous).peers.allSatisfy { $0.peerID == nil })
        #expect(await server.peerCount(of: Self.torrent) == 3)
    }

    @Test func wrongSecretIsRefusedAndLeavesTheStateAlone() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        for path in ["/announce", "/not-the-secret/announce"] {
            let client = try TrackerLoopback.client([["http://127.0.0.1:\(server.port)\(path)"]])
            await #expect {
                try await client.announce(Fixtures.request(Self.torrent, peer: "A", event: .started))
            } throws: { error in
                guard let error = error as? TrackerError, case .trackerFailure(_, let reason) = error.kind else { return false }
                return reason == TrackerError(.wrongSecret).description
            }
        }
        #expect(await server.peerCount(of: Self.torrent) == 0)
    }

    @Test func unknownInfoHashIsRefused() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let client = try TrackerLoopback.client(for: server)
        let stranger = Fixtures.infoHash(0x33)
        await #expect(throws: TrackerError(.trackerFailure(
            url: server.announceURL(host: TrackerLoopback.host), reason: TrackerError(.unknownTorrent(stranger)).description
        ))) {
            try await client.announce(Fixtures.request(stranger, peer: "A", event: .started))
        }
        await server.register(stranger)
        #expect(try await client.announce(Fixtures.request(stranger, peer: "A", event: .started)).peers.isEmpty)
        #expect(await server.peerCount(of: stranger) == 1)
    }

    @Test func controllerSeesCompletionsAndStoppedPeersLeave() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let client = try TrackerLoopback.client(for: server)
        let hosts: Set<PeerID> = [Fixtures.peerID("A"), Fixtures.peerID("B")]
        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "S", port: 7000, left: 0, event: .started))
        for letter in "AB" {
            _ = try await client.announce(Fixtures.request(Self.torrent, peer: letter, event: .started))
        }
        #expect(await server.allComplete(of: Self.torrent, expected: hosts) == false)
        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "A", left: 0, event: .completed))
        #expect(await server.completedPeers(of: Self.torrent).map(\.peerID) == [Fixtures.peerID("S"), Fixtures.peerID("A")])
        #expect(await server.allComplete(of: Self.torrent, expected: hosts) == false)

        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "A", left: 0, event: .stopped))
        #expect(await server.peers(of: Self.torrent).map(\.peerID) == [Fixtures.peerID("B"), Fixtures.peerID("S")])
        let seen = try await client.announce(Fixtures.request(Self.torrent, peer: "B"))
        #expect(seen.peers.map(\.endpoint) == [TrackerLoopback.endpoint(port: 7000)], "A stopped, only the seeder is left")

        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "B", left: 0, event: .completed))
        #expect(await server.allComplete(of: Self.torrent, expected: hosts))
        #expect(await server.snapshot().completedCount(of: Self.torrent) == 3)
    }

    @Test func shutdownLeavesNoListeningSocket() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        let port = server.port
        let client = try TrackerLoopback.client(for: server)
        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "A", event: .started))
        try await server.shutdown()
        await #expect {
            try await client.announce(Fixtures.request(Self.torrent, peer: "A"))
        } throws: { error in
            guard let error = error as? TrackerError, case .connectionFailed = error.kind else { return false }
            return true
        }
        #expect(try !Self.listeningPorts().contains(port))
        try await server.shutdown()  // a second shutdown is harmless
    }

    @Test func idleConnectionsAreClosed() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent], idleTimeout: .milliseconds(200))
        defer { Task { try? await server.shutdown() } }
        let channel = try await ClientBootstrap(group: TrackerLoopback.group).connect(host: TrackerLoopback.host, port: server.port).get()
        let connected = ContinuousClock.now
        let watchdog = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        try await channel.closeFuture.get()
        watchdog.cancel()
        #expect(ContinuousClock.now - connected < .seconds(4), "the server closed the idle connection")
    }

    @Test func keepAliveAnswersPipelinedRequestsInOrder() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let path = "/\(TrackerLoopback.secret)/announce?"
        let first = Fixtures.request(Self.torrent, peer: "A", port: 7201, event: .started).query
        let second = Fixtures.request(Self.torrent, peer: "B", port: 7202, event: .started, compact: false).query
        let reply = try await RawHTTP.exchange(
            port: server.port,
            "GET \(path)\(first) HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /elsewhere HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET \(path)\(second) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        // Bodies carry no line break, so a status line may follow one directly.
        let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map {
            $0.components(separatedBy: "\r\n")[0]
        }
        #expect(statuses == ["200 OK", "404 Not Found", "200 OK"])
        #expect(reply.contains("5:peers0:e"), "A was alone")
        #expect(reply.hasSuffix("5:peersld2:ip9:127.0.0.17:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti7201eeee"), "B sees A")

        // The closed connection leaves the server's registry.
        let deadline = ContinuousClock.now + .seconds(3)
        while await server.connections.count > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await server.connections.count == 0)
    }

    @Test func oversizedRequestsAreRefusedAndTheConnectionClosed() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let longTarget = "/\(TrackerLoopback.secret)/announce?" + String(repeating: "a", count: 5000)
        let long = try await RawHTTP.exchange(
            port: server.port, "GET \(longTarget) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(long.hasPrefix("HTTP/1.1 414 "))
        let headers = (0..<100).map { "X-Filler-\($0): x\r\n" }.joined()
        let many = try await RawHTTP.exchange(
            port: server.port, "GET /\(TrackerLoopback.secret)/announce HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
        #expect(many.hasPrefix("HTTP/1.1 400 "), "too many header fields: \(many.prefix(40))")
        #expect(await server.peerCount(of: Self.torrent) == 0)
    }

    @Test func shutdownClosesOpenConnections() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        let channel = try await ClientBootstrap(group: TrackerLoopback.group).connect(host: TrackerLoopback.host, port: server.port).get()
        let watchdog = channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        defer { watchdog.cancel() }
        // Let the server register the connection before shutting down.
        while await server.connections.count == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let started = ContinuousClock.now
        try await server.shutdown()
        try await channel.closeFuture.get()
        #expect(ContinuousClock.now - started < .seconds(4), "shutdown closed the connection, not the watchdog")
    }

    @Test func cancellingAnAnnounceStopsWaiting() async throws {
        let silent = try await ServerBootstrap(group: TrackerLoopback.group).bind(host: TrackerLoopback.host, port: 0).get()
        defer { silent.close(promise: nil) }
        let url = "http://127.0.0.1:\(silent.localAddress!.port!)/announce"
        let client = try TrackerLoopback.client([[url]], timeout: .seconds(30))
        let task = Task { try await client.announce(Fixtures.request(Self.torrent, peer: "A")) }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: TrackerError(.cancelled(url: url))) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func clientFallsBackThroughTiersAndPromotesTheTrackerThatAnswered() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let dead = "http://127.0.0.1:\(try Loopback.freePort())/announce"
        let wrong = "http://127.0.0.1:\(server.port)/wrong/announce"
        let good = server.announceURL(host: TrackerLoopback.host)
        let client = try TrackerLoopback.client([[dead], [wrong, good]])
        _ = try await client.announce(Fixtures.request(Self.torrent, peer: "A", event: .started))
        #expect(await client.tiers.tiers.map { $0.map(\.text) } == [[dead], [good, wrong]])
        #expect(await server.peerCount(of: Self.torrent) == 1)
    }

    @Test func clientReportsAnHTTPErrorWithTheTrackersReason() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let url = "http://127.0.0.1:\(server.port)/"
        let client = try TrackerLoopback.client([[url]])
        await #expect {
            try await client.announce(Fixtures.request(Self.torrent, peer: "A"))
        } throws: { error in
            guard let error = error as? TrackerError, case .httpStatus(url, 404, let reason?) = error.kind else {
                return false
            }
            return reason.contains("/<secret>/announce") && error.description.contains("HTTP 404")
        }
    }

    @Test func clientReportsEveryFailedTracker() async throws {
        let dead1 = "http://127.0.0.1:\(try Loopback.freePort())/announce"
        let dead2 = "http://127.0.0.1:\(try Loopback.freePort())/announce"
        let client = try TrackerLoopback.client([[dead1], [dead2]])
        await #expect {
            try await client.announce(Fixtures.request(Self.torrent, peer: "A"))
        } throws: { error in
            guard let error = error as? TrackerError, case .allTrackersFailed(let lines) = error.kind else { return false }
            return lines.count == 2 && lines[0].contains(dead1) && lines[1].contains(dead2)
        }
    }

    @Test func clientGivesUpOnASilentTracker() async throws {
        // Accepts connections and never answers.
        let silent = try await ServerBootstrap(group: TrackerLoopback.group).bind(host: TrackerLoopback.host, port: 0).get()
        defer { silent.close(promise: nil) }
        let url = "http://127.0.0.1:\(silent.localAddress!.port!)/announce"
        let client = try TrackerLoopback.client([[url]], timeout: .milliseconds(300))
        let started = ContinuousClock.now
        await #expect(throws: TrackerError(.timeout(url: url, seconds: 0.3))) {
            try await client.announce(Fixtures.request(Self.torrent, peer: "A"))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    /// TCP ports in LISTEN state on this machine, from /proc/net/tcp{,6}.
    static func listeningPorts() throws -> Set<Int> {
        var ports: Set<Int> = []
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is "HEXIP:HEXPORT"; state 0A is LISTEN.
                guard fields.count > 3, fields[3] == "0A", let portText = fields[1].split(separator: ":").last,
                    let port = Int(portText, radix: 16)
                else { continue }
                ports.insert(port)
            }
        }
        return ports
    }

    /// Through the real server: a host that knows the secret cannot drop another host from the
    /// swarm by sending `stopped` with its peer id.
    @Test func aStoppedFromAnotherAddressChangesNothing() async throws {
        let server = try await TrackerLoopback.startServer(torrents: [Self.torrent])
        defer { Task { try? await server.shutdown() } }
        let path = "/\(TrackerLoopback.secret)/announce?"
        let started = Fixtures.request(Self.torrent, peer: "A", port: 7301, event: .started).query
        let stopped = Fixtures.request(Self.torrent, peer: "A", port: 7301, event: .stopped).query
        let first = try await RawHTTP.exchange(port: server.port, "GET \(path)\(started) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(first.hasPrefix("HTTP/1.1 200 "))
        let forged = try await RawHTTP.exchange(
            port: server.port, "GET \(path)\(stopped) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", from: "127.0.0.2")
        #expect(forged.contains("failure reason"), "\(forged)")
        #expect(await server.peers(of: Self.torrent).map(\.endpoint.address.description) == ["127.0.0.1"])
        // From its own address, it goes.
        _ = try await RawHTTP.exchange(port: server.port, "GET \(path)\(stopped) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(await server.peers(of: Self.torrent).isEmpty)
    }

}

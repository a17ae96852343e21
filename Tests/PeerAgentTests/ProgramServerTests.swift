import Foundation
import Testing
import TestSupport

@testable import PeerAgent
@testable import Push

/// A host's peer serves its program; another host fetches it with the command the
/// controller runs there (bash, gzip, sha256sum), on loopback.
@Suite struct ProgramServerTests {
    struct Setup {
        let home: TemporaryDirectory
        let binary: PeerBinary
        let program: [UInt8]
    }

    static func setUp() async throws -> Setup {
        let home = try TemporaryDirectory("program-home")
        let program = SplitMix64.bytes(count: 1 << 20, seed: 12)
        let path = try home.write(program, to: "served/swarmdeploy-peer")
        let digest = try await ProcessRunner.run("/usr/bin/sha256sum", [path]).stdout.prefix(64)
        return Setup(home: home, binary: PeerBinary(path: path, sha256: String(digest), size: Int64(program.count)), program: program)
    }

    static func fetch(_ setup: Setup, port: Int, token: [UInt8]) async throws -> CommandResult {
        let command = ProgramSources.fetchCommand(setup.binary, address: "127.0.0.1", port: port, token: token)
        return try await ProcessRunner.run("/bin/sh", ["-c", command], in: setup.home.path("fetcher"))
    }

    static func cacheEntries(_ setup: Setup) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: setup.home.path("fetcher/.cache/swarmdeploy")))?.sorted() ?? []
    }

    @Test func aHostWithTheTokenGetsTheProgramVerifiedAndCached() async throws {
        let setup = try await Self.setUp()
        try FileManager.default.createDirectory(atPath: setup.home.path("fetcher"), withIntermediateDirectories: true)
        let token = Array(repeating: UInt8(0x3C), count: 16)
        let server = try ProgramServer.start(address: "127.0.0.1", token: token, admitted: ["127.0.0.1"], program: setup.binary.path)
        defer { server.stop() }
        let result = try await Self.fetch(setup, port: server.port, token: token)
        #expect(result.status == 0, "\(result.stderr)")
        let cached = setup.home.path("fetcher/" + setup.binary.remotePath)
        #expect(FileManager.default.contents(atPath: cached) == Data(setup.program))
        #expect(FileManager.default.isExecutableFile(atPath: cached))
        // Its compressed copy stays, so this host can serve it in turn.
        #expect(Self.cacheEntries(setup) == ["peer-\(setup.binary.sha256)", "peer-\(setup.binary.sha256).gz"])
    }

    /// The swarm holds its uploads while the program goes out: the server says when it starts
    /// and stops sending, and not for a client with a wrong token.
    @Test func theServerSaysWhileItSends() async throws {
        let setup = try await Self.setUp()
        try FileManager.default.createDirectory(atPath: setup.home.path("fetcher"), withIntermediateDirectories: true)
        let token = Array(repeating: UInt8(0x3C), count: 16)
        let server = try ProgramServer.start(address: "127.0.0.1", token: token, admitted: ["127.0.0.1"], program: setup.binary.path)
        defer { server.stop() }
        let calls = Locked<[Bool]>([])
        server.whileSending { busy in calls.withLock { $0.append(busy) } }
        _ = try await Self.fetch(setup, port: server.port, token: Array(repeating: 0x3D, count: 16))
        #expect(calls.withLock { $0 } == [])
        let result = try await Self.fetch(setup, port: server.port, token: token)
        #expect(result.status == 0, "\(result.stderr)")
        // The server's side ends just after the client's.
        let deadline = ContinuousClock.now + .seconds(5)
        while calls.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(calls.withLock { $0 } == [true, false])
        // Once told to stop, it calls no more.
        server.whileSending(nil)
        _ = try await Self.fetch(setup, port: server.port, token: token)
        try await Task.sleep(for: .milliseconds(200))
        #expect(calls.withLock { $0 } == [true, false])
    }

    @Test func aWrongTokenOrAnotherAddressGetsNothingAndLeavesNothing() async throws {
        let setup = try await Self.setUp()
        try FileManager.default.createDirectory(atPath: setup.home.path("fetcher"), withIntermediateDirectories: true)
        let token = Array(repeating: UInt8(0x3C), count: 16)
        let server = try ProgramServer.start(address: "127.0.0.1", token: token, admitted: ["127.0.0.1"], program: setup.binary.path)
        defer { server.stop() }
        let wrong = try await Self.fetch(setup, port: server.port, token: Array(repeating: 0x3D, count: 16))
        #expect(wrong.status != 0)
        #expect(Self.cacheEntries(setup) == [])

        let elsewhere = try ProgramServer.start(address: "127.0.0.1", token: token, admitted: ["127.0.0.2"], program: setup.binary.path)
        defer { elsewhere.stop() }
        let refused = try await Self.fetch(setup, port: elsewhere.port, token: token)
        #expect(refused.status != 0)
        #expect(Self.cacheEntries(setup) == [])
    }

    @Test func aProgramThatDoesNotHashRightIsNotCached() async throws {
        let setup = try await Self.setUp()
        try FileManager.default.createDirectory(atPath: setup.home.path("fetcher"), withIntermediateDirectories: true)
        // The server's copy is not the program the controller names.
        let other = try setup.home.write(SplitMix64.bytes(count: 1000, seed: 1), to: "served/other")
        let token = Array(repeating: UInt8(1), count: 16)
        let server = try ProgramServer.start(address: "127.0.0.1", token: token, admitted: nil, program: other)
        defer { server.stop() }
        let result = try await Self.fetch(setup, port: server.port, token: token)
        #expect(result.status != 0)
        #expect(Self.cacheEntries(setup) == [])
    }
}

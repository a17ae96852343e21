import Archive
import DeployConfiguration
import Foundation
import Glibc
import Swarm
import Testing
import TestSupport
import TorrentMetainfo

@testable import Push

/// The seeder serves the payload from the source tree (or, for gzip, from a spool): what it
/// reads is the torrent's payload, and a source that changes is named, not served.
@Suite struct SeedingFromSourceTests {
    static func plan(_ directory: TemporaryDirectory, gzip: Bool) throws -> PushPlan {
        try directory.write(SplitMix64.bytes(count: 700_000, seed: 1), to: "app/a.bin")
        try directory.write(SplitMix64.bytes(count: 300_001, seed: 2), to: "app/b/c.bin")
        try directory.write("hello\n", to: "app/index.html")
        try directory.write("h\n", to: "hosts.txt")
        var settings = PushSettings.defaults
        settings.source = directory.path("app")
        settings.destination = "/opt/app"
        settings.hostsFile = directory.path("hosts.txt")
        settings.compression = gzip ? .gzip(level: 6) : .none
        return try PushPlan(settings: settings, environment: ["HOME": "/root"]) { _, _ throws(PushError) in "10.9.0.1" }
    }

    /// Every byte the storage holds, hashed as a peer would check it.
    static func readAll(_ payload: PackedPayload, chunk: Int) throws -> HashedPayload {
        let storage = try #require(payload.storage)
        var hasher = PieceHasher(pieceLength: payload.metainfo.pieceLength)
        var offset: Int64 = 0
        while offset < storage.length {
            let count = Int(min(Int64(chunk), storage.length - offset))
            hasher.update(try storage.read(at: offset, count: count))
            offset += Int64(count)
        }
        return hasher.finish()
    }

    @Test("the seeder reads the torrent's payload", arguments: [false, true])
    func theSeederReadsTheTorrentsPayload(gzip: Bool) throws {
        let directory = try TemporaryDirectory("source")
        let plan = try Self.plan(directory, gzip: gzip)
        let payload = try plan.pack(try plan.scanSource())
        #expect(payload.storage?.length == payload.metainfo.length)
        // In blocks, as peers ask, and in odd sizes that straddle pieces.
        for chunk in [16_384, 100_003] {
            let read = try Self.readAll(payload, chunk: chunk)
            #expect(read.pieceHashes == payload.metainfo.pieceHashes)
            #expect(read.sha256 == payload.metainfo.payloadSHA256)
        }
    }

    @Test func aFileChangedAfterPackingIsNamedAndNotServed() throws {
        let directory = try TemporaryDirectory("source")
        let plan = try Self.plan(directory, gzip: false)
        let payload = try plan.pack(try plan.scanSource())
        // Same size and time, other bytes: only the piece hash can tell.
        let path = directory.path("app/a.bin")
        var info = stat()
        stat(path, &info)
        try directory.write(SplitMix64.bytes(count: 700_000, seed: 99), to: "app/a.bin")
        var times = [info.st_atim, info.st_mtim]
        utimensat(AT_FDCWD, path, &times, 0)
        let error = #expect(throws: StorageError.self) { _ = try Self.readAll(payload, chunk: 16_384) }
        #expect(error?.description.contains("the source changed during the push") == true, "\(String(describing: error))")
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
    }

    @Test func aSpoolWithoutRoomIsRefusedBeforePacking() throws {
        let error = #expect(throws: StorageError.self) {
            _ = try SpoolPieceStorage.spooling(in: "/dev/shm", upTo: Int64.max / 2) { _ in }
        }
        #expect(error?.kind == .noSpace)
        #expect(error?.description.contains("TMPDIR") == true)
    }
}

import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

@Suite("Piece storage")
struct PieceStorageTests {
    /// A payload of three pieces of 32 KiB and a short fourth, with its torrent.
    static func payload() throws -> ([UInt8], Metainfo) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(3 * 32_768 + 1_000)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var hasher = PieceHasher(pieceLength: 32_768)
        hasher.update(bytes)
        return (bytes, try MetainfoBuilder(name: "payload.tar", payload: hasher.finish()).build())
    }

    @Test("memory storage serves exact ranges and refuses writes and ranges past the end")
    func memory() throws {
        let (bytes, _) = try Self.payload()
        let storage = MemoryPieceStorage(bytes)
        #expect(storage.length == Int64(bytes.count))
        #expect(try storage.read(at: 100, count: 50) == Array(bytes[100..<150]))
        #expect(try storage.read(at: Int64(bytes.count - 10), count: 10) == Array(bytes.suffix(10)))
        #expect(throws: StorageError.self) { _ = try storage.read(at: Int64(bytes.count - 10), count: 11) }
        #expect(throws: StorageError.self) { _ = try storage.read(at: -1, count: 1) }
        let refused = #expect(throws: StorageError.self) {
            try [1, 2, 3].withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                try storage.write(at: 0, buffer)
            }
        }
        #expect(refused?.kind == .readOnly)
    }

    @Test("file storage writes blocks in any order and reads them back; pieces verify once complete")
    func fileRoundTrip() throws {
        let (bytes, metainfo) = try Self.payload()
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let storage = try FilePieceStorage(path: path, length: metainfo.length, mode: .readWrite)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == bytes.count)

        // Before any block arrives the pieces are zeros and fail verification.
        #expect(try !PayloadVerifier.verifyPiece(0, of: metainfo, in: storage))

        // Write 16 KiB blocks back to front.
        let blocks = stride(from: 0, to: bytes.count, by: 16_384).reversed()
        for start in blocks {
            let end = min(start + 16_384, bytes.count)
            try bytes[start..<end].withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                try storage.write(at: Int64(start), buffer)
            }
        }
        try storage.synchronize()
        for index in 0..<metainfo.pieceCount {
            #expect(try PayloadVerifier.verifyPiece(index, of: metainfo, in: storage))
        }
        #expect(try PayloadVerifier.sha256(of: storage, chunkSize: 10_000) == metainfo.payloadSHA256)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))

        // A corrupted block fails only its own piece.
        try [0xFF].withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            try storage.write(at: 40_000, buffer)
        }
        #expect(try PayloadVerifier.verifyPiece(0, of: metainfo, in: storage))
        #expect(try !PayloadVerifier.verifyPiece(1, of: metainfo, in: storage))
        #expect(try PayloadVerifier.sha256(of: storage) != metainfo.payloadSHA256)
    }

    @Test("a read-only file must have the payload's exact length")
    func readOnlyLength() throws {
        let (bytes, metainfo) = try Self.payload()
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StorageError.self) {
            _ = try FilePieceStorage(path: path, length: metainfo.length, mode: .readOnly)
        }
        #expect(error?.message.contains(path) == true)

        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let storage = try FilePieceStorage(path: path, length: metainfo.length, mode: .readOnly)
        #expect(try PayloadVerifier.verifyPiece(3, of: metainfo, in: storage))
    }

    @Test("opening a missing file read-only names the path")
    func missingFile() throws {
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("missing.tar")
        let error = #expect(throws: StorageError.self) {
            _ = try FilePieceStorage(path: path, length: 10, mode: .readOnly)
        }
        #expect(error?.kind == .io)
        #expect(error?.message.contains(path) == true)
    }
}

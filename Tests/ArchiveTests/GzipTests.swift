import Foundation
import Testing
import TestSupport

@testable import Archive

@Suite struct GzipTests {
    private func decompress(_ bytes: [UInt8], chunk: Int? = nil, limit: Int64 = 1 << 30) throws -> [UInt8] {
        try decoded(bytes, by: GzipDecompressor(maxOutputBytes: limit), chunk: chunk)
    }

    private var sample: [UInt8] {
        SplitMix64.bytes(count: 50_000, seed: 1) + Array(String(repeating: "compressible text line\n", count: 4000).utf8)
    }

    @Test func byteByByteMatchesBulk() throws {
        let input = sample
        let bulk = try gzipped(input)
        let compressor = try GzipCompressor(level: 6)
        var fed: [UInt8] = []
        try input.withUnsafeBytes { all in
            for index in 0..<all.count {
                try compressor.compress(UnsafeRawBufferPointer(rebasing: all[index..<(index + 1)])) { fed += $0 }
            }
        }
        try compressor.finish { fed += $0 }
        #expect(fed == bulk)
        #expect(try decompress(bulk, chunk: 1) == input)
        #expect(try decompress(bulk, chunk: 777) == input)
    }

    @Test(arguments: [0, 1, 511, 300_000])
    func roundTripRandomData(size: Int) throws {
        for level in [1, 6, 9] {
            let input = SplitMix64.bytes(count: size, seed: UInt64(size + level))
            #expect(try decompress(gzipped(input, level: level)) == input)
        }
    }

    @Test func headerHasNoTimestampOrName() throws {
        let output = try gzipped(Array("hello".utf8))
        #expect(Array(output.prefix(3)) == [0x1f, 0x8b, 8])
        #expect(output[3] == 0)  // FLG: no name, comment or extra field
        #expect(Array(output[4..<8]) == [0, 0, 0, 0])  // MTIME
    }

    @Test func systemGzipReadsOursAndWeReadItsOutput() async throws {
        let input = sample
        let ours = try await ProcessRunner.run("gzip", ["-dc"], input: try gzipped(input))
        #expect(ours.status == 0)
        #expect(ours.stderr == "")
        #expect(ours.stdoutBytes == input)

        let theirs = try await ProcessRunner.run("gzip", ["-c", "-9"], input: input)
        #expect(theirs.status == 0)
        #expect(try decompress(theirs.stdoutBytes, chunk: 4096) == input)
        // Concatenated members decode as one stream, as gzip -d does.
        #expect(try decompress(theirs.stdoutBytes + gzipped(Array("tail".utf8))) == input + Array("tail".utf8))
    }

    @Test func levelOutOfRange() {
        #expect(throws: ArchiveError.self) { try GzipCompressor(level: 0) }
        #expect(throws: ArchiveError.self) { try GzipCompressor(level: 10) }
    }

    @Test func truncatedCorruptAndOversizedInput() throws {
        let compressed = try gzipped(sample)
        let truncated = try #require(throws: ArchiveError.self) { try decompress(Array(compressed.dropLast(10))) }
        #expect(truncated.code == .malformedArchive)

        var corrupt = compressed
        corrupt[corrupt.count / 2] ^= 0xff
        let corruption = try #require(throws: ArchiveError.self) { try decompress(corrupt) }
        #expect(corruption.code == .malformedArchive)

        let tooBig = try #require(throws: ArchiveError.self) { try decompress(compressed, limit: 1000) }
        #expect(tooBig.code == .limitExceeded)
    }

    @Test func zlibVersionIsReported() {
        #expect(Zlib.version.first?.isNumber == true)
        #expect(Zlib.version.contains("."))
    }
}

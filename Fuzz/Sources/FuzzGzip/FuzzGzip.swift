// Feeds bytes to GzipDecompressor whole and in chunks, and gzip input through SafeExtractor as a .tar.gz.
// Checks chunking changes nothing, output recompresses and decompresses back, and gzip and plain tar extract alike.
import Archive
import FuzzSupport

private let scratch = ScratchDirectory(prefix: "fuzz-gzip")
/// Small caps: a decompression bomb stops at 1 MiB.
private let maxOutputBytes: Int64 = 1 << 20
private let limits = ExtractionLimits(maxBytes: maxOutputBytes, maxEntries: 256)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    let whole = gunzip(bytes, chunks: [bytes.count])
    let chunked = gunzip(bytes, chunks: ChunkPlan.lengths(total: bytes.count, seed: ChunkPlan.seed(of: bytes)))
    switch (whole, chunked) {
    case (.success(let output), .success(let other)):
        expect(output == other, "chunked input decompressed to other bytes")
        checkRecompression(output, level: 1 + bytes.count % 9)
        checkExtraction(gzip: bytes, tar: output)
    case (.failure(let error), .failure):
        _ = "\(error)"
    default:
        expect(false, "whole input: \(whole.map(\.count)); chunked: \(chunked.map(\.count))")
    }
    return 0
}

private func gunzip(_ bytes: [UInt8], chunks: [Int]) -> Result<[UInt8], Error> {
    Result {
        let decompressor = try GzipDecompressor(maxOutputBytes: maxOutputBytes)
        var output: [UInt8] = []
        var offset = 0
        for length in chunks {
            try bytes[offset..<offset + length].withUnsafeBytes { input in
                try decompressor.decompress(input) { output.append(contentsOf: $0) }
            }
            offset += length
        }
        try decompressor.finish { output.append(contentsOf: $0) }
        expect(decompressor.bytesIn == Int64(bytes.count), "read \(decompressor.bytesIn) of \(bytes.count) bytes")
        expect(decompressor.bytesOut == Int64(output.count), "counted \(decompressor.bytesOut) bytes out, gave \(output.count)")
        return output
    }
}

/// What came out goes through the compressor and back unchanged.
private func checkRecompression(_ output: [UInt8], level: Int) {
    var compressed: [UInt8] = []
    do {
        let compressor = try GzipCompressor(level: level)
        try output.withUnsafeBytes { try compressor.compress($0) { compressed.append(contentsOf: $0) } }
        try compressor.finish { compressed.append(contentsOf: $0) }
    } catch {
        expect(false, "compressing \(output.count) bytes failed: \(error)")
    }
    guard case .success(let again) = gunzip(compressed, chunks: [compressed.count]) else {
        expect(false, "our own gzip of \(output.count) bytes does not decompress")
        return
    }
    expect(again == output, "gzip round trip changed the bytes")
}

/// The extractor takes a .tar.gz as the .tar inside it.
private func checkExtraction(gzip: [UInt8], tar: [UInt8]) {
    // A plain tar that starts like gzip would be taken for gzip.
    guard tar.count >= 512, !(tar[0] == 0x1f && tar[1] == 0x8b) else { return }
    defer {
        for name in ScratchDirectory.names(in: scratch.path) { ScratchDirectory.removeTree(scratch.path + "/" + name) }
    }
    // Names of one length, so path length limits hit both extractions alike.
    let fromGzip = Result { try SafeExtractor(destination: scratch.path + "/gz", limits: limits).extract(bytes: gzip) }
    let fromTar = Result { try SafeExtractor(destination: scratch.path + "/tr", limits: limits).extract(bytes: tar) }
    switch (fromGzip, fromTar) {
    case (.success(let a), .success(let b)):
        expect(a == b, "the .tar.gz extracted as \(a), its .tar as \(b)")
    case (.failure, .failure):
        break
    default:
        expect(false, "the .tar.gz extracted: \(fromGzip); its .tar: \(fromTar)")
    }
}

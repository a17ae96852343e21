// Feeds bytes to ArchiveIndex(encoded:root:), the archive index a peer reads from its job:
// as they are, and gzip-compressed first (so mutations reach the entries, not only the gzip
// layer). Checks a decoded index encodes to an index that decodes to the same manifest and
// digests, and that its layout (padded headers included) adds up.
import Archive
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchiveIndex(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    check(bytes)
    if let compressed = try? gzip(bytes) { check(compressed) }
    return 0
}

private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let compressor = try GzipCompressor(level: 1)
    var output: [UInt8] = []
    try bytes.withUnsafeBytes { try compressor.compress($0) { output.append(contentsOf: $0) } }
    try compressor.finish { output.append(contentsOf: $0) }
    return output
}

private func check(_ bytes: [UInt8]) {
    let index: ArchiveIndex
    do {
        index = try ArchiveIndex(encoded: bytes, root: "/fuzz")
    } catch {
        _ = "\(error)"
        return
    }
    let manifest = index.manifest
    expect(index.digests.keys.allSatisfy { manifest.entries[$0].kind == .file }, "a digest belongs to an entry that is no file")
    do {
        let againIndex = try ArchiveIndex(encoded: index.encoded(), root: "/fuzz")
        let again = againIndex.manifest
        expect(againIndex.digests == index.digests, "the index's own encoding decodes to other digests")
        expect(again.entries == manifest.entries, "the index's own encoding decodes to other entries")
        expect(again.paddedHeaders == manifest.paddedHeaders, "the index's own encoding decodes to other headers")
        expect(again.tarLength == manifest.tarLength, "the same index gives another archive length")
        // The layout's parts cover the archive's start exactly, headers and all.
        let count = Int(min(manifest.tarLength, 1 << 20))
        let parts = try TreeArchive(manifest, checksFiles: false).parts(at: 0, count: count)
        let covered = parts.reduce(0) { total, part in
            switch part {
            case .header(_, let range): total + range.count
            case .file(_, _, let length), .zeros(let length): total + length
            }
        }
        expect(covered == count, "the parts of the first \(count) bytes cover \(covered)")
    } catch {
        expect(false, "a decoded index does not survive its own encoding: \(error)")
    }
}

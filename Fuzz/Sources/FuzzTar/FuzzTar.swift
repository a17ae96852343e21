// Feeds an archive to SafeExtractor (its TarReader and extraction session): whole from memory, and from a file
// in chunks as a download grows. Checks both agree, the tree on disk matches the summary, and nothing escapes.
import Archive
import FuzzSupport

#if canImport(Glibc)
import Glibc
#endif

private let scratch = ScratchDirectory(prefix: "fuzz-tar")
/// Small limits: an input cannot make the extraction write much.
private let limits = ExtractionLimits(maxBytes: 1 << 20, maxEntries: 256)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    let archive = scratch.path + "/archive"
    // Names of one length, so path length limits hit both extractions alike.
    let whole = scratch.path + "/memory"
    let growing = scratch.path + "/stream"
    defer {
        for name in ScratchDirectory.names(in: scratch.path) { ScratchDirectory.removeTree(scratch.path + "/" + name) }
    }

    let fromMemory = Result { try SafeExtractor(destination: whole, limits: limits).extract(bytes: bytes) }
    writeFile(archive, bytes)
    let chunks = ChunkPlan.lengths(total: bytes.count, seed: ChunkPlan.seed(of: bytes), maximum: 2048)
    let fromFile = Result {
        try SafeExtractor(destination: growing, limits: limits).extract(growingArchiveAt: archive, length: Int64(bytes.count)) { consumed in
            // The next chunk's end: what the download has verified so far.
            var end: Int64 = 0
            for length in chunks where end <= consumed { end += Int64(length) }
            return end
        }
    }

    switch (fromMemory, fromFile) {
    case (.success(let summary), .success(let other)):
        expect(summary == other, "extracting from memory gave \(summary), from a growing file \(other)")
        checkTree(whole, against: summary)
    case (.failure(let error), .failure):
        _ = "\(error)"
    default:
        // Limits trip where the stream crosses them, so only success or failure must agree.
        expect(false, "from memory: \(fromMemory); from a growing file: \(fromFile)")
    }
    let leftovers = Set(ScratchDirectory.names(in: scratch.path)).subtracting(["archive", "memory", "stream"])
    expect(leftovers.isEmpty, "the extraction wrote outside its destination: \(leftovers)")
    return 0
}

/// The tree on disk is what the summary says: every file, symlink and byte, all inside.
private func checkTree(_ root: String, against summary: ExtractionSummary) {
    let census = TreeCensus(root: root)
    expect(census.files == summary.files, "\(census.files) files on disk, summary says \(summary.files)")
    expect(census.symlinks == summary.symlinks, "\(census.symlinks) symlinks on disk, summary says \(summary.symlinks)")
    // Parents made for deeper entries are not counted as directory entries.
    expect(census.directories >= summary.directories, "\(census.directories) directories on disk, summary says \(summary.directories)")
    expect(census.bytes == summary.bytes, "\(census.bytes) bytes on disk, summary says \(summary.bytes)")
    expect(census.escapingSymlinks.isEmpty, "symlinks resolve outside the tree: \(census.escapingSymlinks)")
}

private func writeFile(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    expect(descriptor >= 0, "cannot create \(path): errno \(errno)")
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
        expect(count > 0, "cannot write \(path): errno \(errno)")
        written += count
    }
}

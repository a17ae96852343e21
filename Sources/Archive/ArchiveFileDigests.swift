/// Takes each regular file's `FileDigest` from the tar stream of a manifest as it goes by (see
/// `TarWriter`), so the packer reads every file once for the archive, its torrent and these.
public struct ArchiveFileDigests {
    /// Where each regular file's data lies in the archive, in archive order.
    private let files: [(entry: Int, start: Int64, end: Int64)]
    private var next = 0
    private var offset: Int64 = 0
    private var digester = FileDigest.Digester()
    public private(set) var digests: [Int: FileDigest] = [:]

    public init(_ manifest: ArchiveManifest) {
        let starts = manifest.headerStarts()
        files = manifest.entries.indices.compactMap { index in
            guard manifest.entries[index].kind == .file else { return nil }
            let start = starts[index] + Int64(manifest.headerLengths[index])
            return (index, start, start + manifest.entries[index].size)
        }
        settleEmptyFiles()
    }

    /// The archive's next bytes.
    public mutating func update(_ chunk: UnsafeRawBufferPointer) {
        let chunkStart = offset
        let chunkEnd = offset + Int64(chunk.count)
        while next < files.count, files[next].start < chunkEnd {
            let file = files[next]
            let from = max(file.start, chunkStart)
            let to = min(file.end, chunkEnd)
            if from < to {
                digester.update(UnsafeRawBufferPointer(rebasing: chunk[Int(from - chunkStart)..<Int(to - chunkStart)]))
            }
            guard file.end <= chunkEnd else { break }
            digests[file.entry] = digester.finish()
            digester = FileDigest.Digester()
            next += 1
            settleEmptyFiles()
        }
        offset = chunkEnd
    }

    /// Empty files have their digest at once: no byte of the stream ends them.
    private mutating func settleEmptyFiles() {
        while next < files.count, files[next].start == files[next].end {
            digests[files[next].entry] = FileDigest.Digester().finish()
            next += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a manifest as a deterministic POSIX tar (ustar headers, pax 'x'
/// headers where ustar cannot hold a value), streaming file contents in
/// chunks of at most 1 MiB.
public enum TarWriter {
    /// Calls `output` with consecutive chunks whose total is exactly `manifest.tarLength`.
    /// Throws `.changedDuringArchive` if a file no longer matches what the scan saw.
    public static func write(_ manifest: ArchiveManifest, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = OutputBuffer()
        for (index, entry) in manifest.entries.enumerated() {
            try buffer.append(manifest.headerBlocks(ofEntry: index), flushingTo: output)
            if entry.kind == .file && entry.size > 0 {
                try copyContents(of: entry, root: manifest.root, into: buffer, output: output)
                try buffer.appendZeros(TarFormat.padding(after: entry.size), flushingTo: output)
            }
        }
        try buffer.appendZeros(TarFormat.endOfArchiveLength, flushingTo: output)
        try buffer.flush(to: output)
        // Holds by construction; a mismatch would corrupt every piece after it, so check.
        guard buffer.totalFlushed == manifest.tarLength else {
            throw ArchiveError(
                .changedDuringArchive, path: manifest.root,
                "wrote \(buffer.totalFlushed) bytes but the manifest declared \(manifest.tarLength); rescan and retry")
        }
    }

    private static func copyContents(
        of entry: ArchiveEntry, root: String, into buffer: OutputBuffer, output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let path = root + "/" + entry.path
        // O_NOFOLLOW: a file swapped for a symlink since the scan is refused, not followed.
        let descriptor = try POSIX.openFile(path, flags: O_RDONLY | O_NOFOLLOW)
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw POSIX.error("fstat", path: path) }
        guard POSIX.fileType(info) == S_IFREG, Int64(info.st_size) == entry.size else {
            throw changed(path, "is no longer a regular file of \(entry.size) bytes")
        }
        var remaining = entry.size
        while remaining > 0 {
            let count = try buffer.fill(upTo: Int(min(remaining, Int64(Int.max))), flushingTo: output) { pointer, capacity in
                try POSIX.read(descriptor, into: pointer, count: capacity, path: path)
            }
            if count == 0 {
                throw changed(path, "shrank while being archived (\(remaining) bytes missing)")
            }
            remaining -= Int64(count)
        }
    }

    private static func changed(_ path: String, _ what: String) -> ArchiveError {
        ArchiveError(.changedDuringArchive, path: path, "\(what); make sure nothing writes to the tree during a push and retry")
    }
}

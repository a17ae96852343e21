#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The plain tar `TarWriter` writes for a manifest, readable at any offset without being
/// written anywhere: header blocks are encoded again from their entry (they depend on
/// nothing else), file bytes are read from the tree, padding is zeros. A seeder serves a
/// push straight from the source this way, holding neither the tarball nor a copy of it.
///
/// The tree must not change while it is read. A file that is no longer a regular file of
/// the scanned size and modification time, or that ends early, is an error naming it; a
/// change that keeps both shows only in the bytes, which the caller checks against the
/// piece hashes.
///
/// Reads may run on several threads at once.
public final class TreeArchive: Sendable {
    public let manifest: ArchiveManifest
    /// Where each entry's header starts, in archive order, and how long the header is.
    private let starts: [Int64]
    private let headerLengths: [Int]
    private let openFiles: Mutex<OpenFiles>

    public var length: Int64 { manifest.tarLength }

    /// `openFileLimit` bounds the descriptors kept open between reads.
    public init(_ manifest: ArchiveManifest, openFileLimit: Int = 32) throws {
        self.manifest = manifest
        var starts: [Int64] = []
        var headerLengths: [Int] = []
        starts.reserveCapacity(manifest.entries.count)
        headerLengths.reserveCapacity(manifest.entries.count)
        var offset: Int64 = 0
        for entry in manifest.entries {
            let header = try TarHeaderEncoder.headerBlocks(for: entry).count
            starts.append(offset)
            headerLengths.append(header)
            offset += Int64(header) + TarFormat.paddedLength(entry.size)
        }
        // The layout is TarWriter's by construction; a mismatch would shift every piece after it.
        guard offset + Int64(TarFormat.endOfArchiveLength) == manifest.tarLength else {
            throw ArchiveError(.invalidEntry, path: manifest.root, "the archive layout does not add up to the manifest's length")
        }
        self.starts = starts
        self.headerLengths = headerLengths
        openFiles = Mutex(OpenFiles(limit: max(1, openFileLimit)))
    }

    /// Fills `buffer` with the archive's bytes at `offset`.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard offset >= 0, offset <= length - Int64(buffer.count) else {
            throw ArchiveError(.invalidEntry, path: manifest.root, "bytes \(offset)..<\(offset + Int64(buffer.count)) lie outside the \(length)-byte archive")
        }
        var done = 0
        var index = entryIndex(containing: offset)
        while done < buffer.count {
            let position = offset + Int64(done)
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            guard index < starts.count else {
                // The end-of-archive blocks.
                target.initializeMemory(as: UInt8.self, repeating: 0)
                return
            }
            let entry = manifest.entries[index]
            let within = position - starts[index]
            let headerLength = Int64(headerLengths[index])
            let end = headerLength + TarFormat.paddedLength(entry.size)
            guard within < end else {
                index += 1
                continue
            }
            let count: Int
            if within < headerLength {
                let header = try TarHeaderEncoder.headerBlocks(for: entry)
                count = min(target.count, header.count - Int(within))
                header.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[Int(within)..<(Int(within) + count)]))
                }
            } else if within < headerLength + entry.size {
                let fileOffset = within - headerLength
                count = Int(min(Int64(target.count), entry.size - fileOffset))
                try readFile(index, at: fileOffset, into: UnsafeMutableRawBufferPointer(rebasing: target[..<count]))
            } else {
                count = Int(min(Int64(target.count), end - within))
                UnsafeMutableRawBufferPointer(rebasing: target[..<count]).initializeMemory(as: UInt8.self, repeating: 0)
            }
            done += count
        }
    }

    /// The paths of the files whose bytes lie in `offset..<offset + count`, for messages.
    public func files(overlapping offset: Int64, count: Int) -> [String] {
        var paths: [String] = []
        var index = entryIndex(containing: offset)
        while index < starts.count, starts[index] < offset + Int64(count) {
            let entry = manifest.entries[index]
            let dataStart = starts[index] + Int64(headerLengths[index])
            if entry.kind == .file, entry.size > 0, dataStart < offset + Int64(count), dataStart + entry.size > offset {
                paths.append(entry.path)
            }
            index += 1
        }
        return paths
    }

    /// The last entry whose header starts at or before `offset` (the end when past the last).
    private func entryIndex(containing offset: Int64) -> Int {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }

    private func readFile(_ index: Int, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        let file = try open(index)
        var done = 0
        while done < buffer.count {
            let count = pread(file.descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIX.error("read", path: file.path)
            }
            if count == 0 {
                throw changed(file.path, "shrank since it was scanned")
            }
            done += count
        }
    }

    /// The entry's file, open, checked against the scan.
    private func open(_ index: Int) throws -> OpenFile {
        if let file = openFiles.withLock({ $0.file(index) }) { return file }
        let entry = manifest.entries[index]
        let path = manifest.root + "/" + entry.path
        // O_NOFOLLOW: a file swapped for a symlink since the scan is refused, not followed.
        let descriptor = try POSIX.openFile(path, flags: O_RDONLY | O_NOFOLLOW)
        let file = OpenFile(descriptor: descriptor, path: path)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw POSIX.error("fstat", path: path) }
        guard POSIX.fileType(info) == S_IFREG, Int64(info.st_size) == entry.size else {
            throw changed(path, "is no longer a regular file of \(entry.size) bytes")
        }
        guard Int64(info.st_mtim.tv_sec) == entry.mtime else {
            throw changed(path, "was modified since it was scanned")
        }
        openFiles.withLock { $0.insert(file, for: index) }
        return file
    }

    private func changed(_ path: String, _ what: String) -> ArchiveError {
        ArchiveError(.changedDuringArchive, path: path, "\(what); make sure nothing writes to the tree during a push and retry")
    }
}

/// A file descriptor closed when the last reader lets go of it.
private final class OpenFile: Sendable {
    let descriptor: Int32
    let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }
}

/// The files opened last, up to a limit; the first opened is let go first (the seeder reads
/// the archive mostly in order).
private struct OpenFiles {
    let limit: Int
    private var files: [Int: OpenFile] = [:]
    private var order: [Int] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func file(_ index: Int) -> OpenFile? {
        files[index]
    }

    mutating func insert(_ file: OpenFile, for index: Int) {
        guard files[index] == nil else { return }
        if files.count >= limit, let oldest = order.first {
            order.removeFirst()
            files[oldest] = nil
        }
        files[index] = file
        order.append(index)
    }
}

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
/// A host rebuilding pieces from the tree it holds (see `checksFiles`) reads the same way,
/// with the files as they are.
///
/// Reads may run on several threads at once.
public final class TreeArchive: Sendable {
    /// One stretch of the archive and where its bytes come from.
    public enum Part: Sendable, Equatable {
        /// `range` of entry `entry`'s header blocks.
        case header(entry: Int, range: Range<Int>)
        /// `count` bytes of entry `entry`'s file at `offset`.
        case file(entry: Int, offset: Int64, count: Int)
        /// Padding after a file's data, or the end-of-archive blocks.
        case zeros(count: Int)
    }

    public let manifest: ArchiveManifest
    /// Whether a file must still be what the scan saw (a regular file of its size and
    /// modification time). Off, a file is read as it is: a host's older tree, whose bytes
    /// the piece hashes judge.
    public let checksFiles: Bool
    /// Where each entry's header starts, in archive order.
    private let starts: [Int64]
    private let openFiles: Mutex<OpenFiles>

    public var length: Int64 { manifest.tarLength }

    /// `openFileLimit` bounds the descriptors kept open between reads.
    public init(_ manifest: ArchiveManifest, openFileLimit: Int = 32, checksFiles: Bool = true) {
        self.manifest = manifest
        self.checksFiles = checksFiles
        starts = manifest.headerStarts()
        openFiles = Mutex(OpenFiles(limit: max(1, openFileLimit)))
    }

    /// Fills `buffer` with the archive's bytes at `offset`.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        try forEachPart(at: offset, count: buffer.count) { part in
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            switch part {
            case .header(let index, let range):
                let header = try manifest.headerBlocks(ofEntry: index)
                header.withUnsafeBytes { source in
                    target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
                }
                done += range.count
            case .file(let index, let fileOffset, let count):
                try readFile(index, at: fileOffset, into: UnsafeMutableRawBufferPointer(rebasing: target[..<count]))
                done += count
            case .zeros(let count):
                UnsafeMutableRawBufferPointer(rebasing: target[..<count]).initializeMemory(as: UInt8.self, repeating: 0)
                done += count
            }
        }
    }

    /// Where the archive's bytes `offset..<offset + count` come from, in order.
    public func parts(at offset: Int64, count: Int) throws -> [Part] {
        var parts: [Part] = []
        try forEachPart(at: offset, count: count) { parts.append($0) }
        return parts
    }

    /// Hands `body` the parts of `offset..<offset + count` in order, without collecting them:
    /// the seeder reads every block this way.
    private func forEachPart(at offset: Int64, count: Int, _ body: (Part) throws -> Void) throws {
        guard offset >= 0, count >= 0, offset <= length - Int64(count) else {
            throw ArchiveError(.invalidEntry, path: manifest.root, "bytes \(offset)..<\(offset + Int64(count)) lie outside the \(length)-byte archive")
        }
        var done = 0
        var index = entryIndex(containing: offset)
        while done < count {
            let position = offset + Int64(done)
            let wanted = count - done
            guard index < starts.count else {
                try body(.zeros(count: wanted))  // the end-of-archive blocks
                return
            }
            let entry = manifest.entries[index]
            let within = position - starts[index]
            let headerLength = Int64(manifest.headerLengths[index])
            let end = headerLength + TarFormat.paddedLength(entry.size)
            guard within < end else {
                index += 1
                continue
            }
            let part: Part
            let length: Int
            if within < headerLength {
                length = min(wanted, Int(headerLength - within))
                part = .header(entry: index, range: Int(within)..<(Int(within) + length))
            } else if within < headerLength + entry.size {
                let fileOffset = within - headerLength
                length = Int(min(Int64(wanted), entry.size - fileOffset))
                part = .file(entry: index, offset: fileOffset, count: length)
            } else {
                length = Int(min(Int64(wanted), end - within))
                part = .zeros(count: length)
            }
            try body(part)
            done += length
        }
    }

    /// The paths of the files whose bytes lie in `offset..<offset + count`, for messages.
    public func files(overlapping offset: Int64, count: Int) -> [String] {
        var paths: [String] = []
        var index = entryIndex(containing: offset)
        while index < starts.count, starts[index] < offset + Int64(count) {
            let entry = manifest.entries[index]
            let dataStart = starts[index] + Int64(manifest.headerLengths[index])
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
        let (descriptor, info) = try POSIX.openRegularFile(path, notRegular: changed(path, "is not a regular file"))
        let file = OpenFile(descriptor: descriptor, path: path)
        if !checksFiles {
            openFiles.withLock { $0.insert(file, for: index) }
            return file
        }
        guard Int64(info.st_size) == entry.size else {
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

import Glibc

/// A payload in a file, read and written with pread/pwrite at explicit offsets, so
/// connections need no shared file position and memory does not grow with the payload.
public final class FilePieceStorage: PieceStorage {
    public let path: String
    public let length: Int64
    private let descriptor: Int32

    public enum Mode: Sendable {
        /// Serve an existing file of exactly the payload's length.
        case readOnly
        /// Create the file (or reuse one), sized to the payload; blocks not yet written read as zeros.
        /// Never through a symlink.
        case readWrite
        /// As `readWrite`, but the file must not exist yet: a name someone may have planted a
        /// file or link at is refused, not reused.
        case createNew
    }

    public init(path: String, length: Int64, mode: Mode) throws {
        self.path = path
        self.length = length
        switch mode {
        case .readOnly:
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        case .readWrite:
            descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        case .createNew:
            descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard descriptor >= 0 else {
            throw StorageError(.io, "cannot open \(path): \(Self.lastError())")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let message = "cannot stat \(path): \(Self.lastError())"
            close(descriptor)
            throw StorageError(.io, message)
        }
        switch mode {
        case .readOnly where Int64(status.st_size) != length:
            close(descriptor)
            throw StorageError(.io, "\(path) is \(status.st_size) bytes, the payload is \(length)")
        case .readWrite where Int64(status.st_size) != length, .createNew where Int64(status.st_size) != length:
            // Sized up front (sparse where the filesystem allows), so running out of space shows early.
            guard ftruncate(descriptor, off_t(length)) == 0 else {
                let message = "cannot size \(path) to \(length) bytes: \(Self.lastError())"
                close(descriptor)
                throw StorageError(.io, message)
            }
        default:
            break
        }
    }

    deinit {
        close(descriptor)
    }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        try checkRange(offset, buffer.count)
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw StorageError(.io, "reading \(path) at \(offset + Int64(done)) failed: \(Self.lastError())")
            }
            guard result > 0 else {
                throw StorageError(.io, "\(path) ended at \(offset + Int64(done)), before the payload's \(length) bytes")
            }
            done += result
        }
    }

    public func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        try checkRange(offset, bytes.count)
        var done = 0
        while done < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw StorageError(Self.writeFailureKind(), "writing \(path) at \(offset + Int64(done)) failed: \(Self.lastError())")
            }
            done += result
        }
    }

    public func synchronize() throws {
        guard fsync(descriptor) == 0 else {
            throw StorageError(Self.writeFailureKind(), "flushing \(path) failed: \(Self.lastError())")
        }
    }

    /// A full file system (or used-up quota) told apart from other failures, by `errno`.
    private static func writeFailureKind() -> StorageError.Kind {
        errno == ENOSPC || errno == EDQUOT ? .noSpace : .io
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

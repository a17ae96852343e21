import Glibc

/// Writes a file under a temporary name and renames it into place on `commit()`, so an
/// interrupted or failed write never leaves a truncated file where the real one belongs.
/// The temporary name is new each time and created exclusively, never through a symlink:
/// a name someone could guess and plant a link at would make us overwrite its target.
final class FileSink {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        self.temporaryPath = path + ".partial-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CommandFailure.controller("cannot create \(temporaryPath): \(String(cString: strerror(errno))); check the directory exists and is writable")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                throw CommandFailure.controller("writing \(temporaryPath) failed: \(String(cString: strerror(errno)))")
            }
            offset += result
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in try write(buffer) }
    }

    /// Flushes to disk and moves the file to its final name.
    func commit() throws {
        guard fsync(descriptor) == 0 else {
            throw CommandFailure.controller("flushing \(temporaryPath) failed: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            throw CommandFailure.controller("renaming \(temporaryPath) to \(path) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        // Not committed: remove the partial file rather than leave it behind.
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }
}

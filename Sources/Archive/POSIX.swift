#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The enum's own `read`/`write` shadow the C functions inside it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Thin helpers over the POSIX calls the module makes; errno becomes an
/// `ArchiveError` once, here.
enum POSIX {
    static func error(_ operation: String, path: String, errno code: Int32 = errno) -> ArchiveError {
        let reason = String(cString: strerror(code))
        let remedy: String
        switch code {
        case ENOSPC: remedy = "; the filesystem is out of space or inodes (see df -h and df -i), free some and retry"
        case EDQUOT: remedy = "; the user's disk quota is used up, free some and retry"
        case EROFS: remedy = "; the filesystem is mounted read-only"
        case EACCES, EPERM: remedy = "; check the permissions of the directory it is in"
        default: remedy = ""
        }
        let kind: ArchiveError.Code = code == ENOSPC || code == EDQUOT ? .noSpace : .io
        return ArchiveError(kind, path: path, "\(operation) failed: \(reason)\(remedy)")
    }

    static func lstatus(_ path: String) throws -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw error("lstat", path: path) }
        return info
    }

    static func fileType(_ info: stat) -> mode_t {
        info.st_mode & S_IFMT
    }

    static func readLink(_ path: String) throws -> String {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let count = buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, capacity) }
            }
            guard count >= 0 else { throw error("readlink", path: path) }
            if count < capacity {
                guard let target = String(validating: buffer[..<count], as: UTF8.self) else {
                    throw ArchiveError(
                        .unsupportedFileType, path: path,
                        "symlink target is not valid UTF-8; rename the target or remove the link")
                }
                return target
            }
            capacity *= 2
        }
    }

    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0) throws -> Int32 {
        while true {
            let descriptor = open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw error("open", path: path) }
        }
    }

    /// Reads up to `count` bytes, retrying on EINTR; 0 means end of file.
    /// Opens `path` for reading when it is a regular file: a symlink is not followed (a file
    /// swapped for one is refused), and a FIFO planted there does not hang the open
    /// (O_NONBLOCK). Anything else is `notRegular`. Returns the descriptor, which the caller
    /// closes, and the file's status.
    static func openRegularFile(_ path: String, notRegular: @autoclosure () -> ArchiveError) throws -> (descriptor: Int32, info: stat) {
        let descriptor = try openFile(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let failure = error("fstat", path: path)
            close(descriptor)
            throw failure
        }
        guard fileType(info) == S_IFREG else {
            close(descriptor)
            throw notRegular()
        }
        return (descriptor, info)
    }

    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, path: String) throws -> Int {
        while true {
            let result = systemRead(descriptor, buffer, count)
            if result >= 0 { return result }
            if errno != EINTR { throw error("read", path: path) }
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let result = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                throw error("write", path: path)
            }
            offset += result
        }
    }

    /// Sets access and modification time to `mtime`, not following a final symlink.
    static func setTimes(_ path: String, mtime: Int64) throws {
        var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw error("utimensat", path: path)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// close(2) and connect(2) under names that types with their own `close()`
/// or `connect(...)` methods can call without naming the C library module.
@discardableResult
func posixClose(_ fd: Int32) -> Int32 { close(fd) }

func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

/// The few file operations the module needs, straight on POSIX.
enum FileSystem {
    static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    /// The whole file, or nil when it does not exist; throws the errno text otherwise.
    /// `limit` guards against pointing the tool at something huge by mistake.
    static func readFile(_ path: String, limit: Int) throws(FileSystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError(path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit {
                throw FileSystemError(path: path, reason: "larger than \(limit) bytes")
            }
        }
    }

    /// Appends `line` with one `write` on an `O_APPEND` descriptor, so sessions
    /// for many hosts can add their keys to the same file at once without
    /// interleaving, and nothing else in the file is rewritten.
    static func appendLine(_ line: String, to path: String, mode: mode_t = 0o600) throws(FileSystemError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        if fd < 0 { throw FileSystemError(path: path, errno: errno) }
        defer { close(fd) }
        var bytes = Array(line.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw FileSystemError(path: path, errno: written < 0 ? errno : EIO)
        }
    }
}

struct FileSystemError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)))
    }

    var description: String { "\(path): \(reason)" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Swarm

/// A compressed payload, which cannot be read at an offset without decompressing what comes
/// before, written once to a spool file that the seeder then reads. The file is unlinked as
/// soon as it is created: nothing is left behind, even if the controller is killed.
final class SpoolPieceStorage: PieceStorage {
    /// The spool's directory: `$TMPDIR`, or /var/tmp (on disk, unlike a tmpfs /tmp).
    static func directory() -> String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/var/tmp" }
        return String(cString: value)
    }

    private let descriptor: Int32
    let length: Int64

    private init(descriptor: Int32, length: Int64) {
        self.descriptor = descriptor
        self.length = length
    }

    deinit { close(descriptor) }

    /// Creates the spool in `directory`, after checking it has room for `bound` bytes, and
    /// fills it with what `produce` hands to its sink.
    static func spooling(
        in directory: String, upTo bound: Int64, _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> SpoolPieceStorage {
        var fs = statvfs()
        if statvfs(directory, &fs) == 0 {
            let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
            guard free >= bound else {
                throw StorageError(
                    .noSpace, "the gzip payload is spooled to \(directory), which has \(free) bytes free; it needs up to \(bound): "
                        + "free space there, point TMPDIR at a larger disk, or push without --gzip")
            }
        }
        var generator = SystemRandomNumberGenerator()
        let path = directory + "/.swarmdeploy-spool-" + String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 16)
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StorageError(.io, "cannot create the gzip spool in \(directory): \(String(cString: strerror(errno))); set TMPDIR to a writable directory")
        }
        unlink(path)
        var length: Int64 = 0
        do {
            try produce { bytes in
                var done = 0
                while done < bytes.count {
                    let count = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(length))
                    if count < 0 {
                        if errno == EINTR { continue }
                        let code = errno
                        throw StorageError(
                            code == ENOSPC || code == EDQUOT ? .noSpace : .io,
                            "cannot write the gzip spool in \(directory): \(String(cString: strerror(code)))")
                    }
                    done += count
                    length += Int64(count)
                }
            }
        } catch {
            close(descriptor)
            throw error
        }
        return SpoolPieceStorage(descriptor: descriptor, length: length)
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        try checkRange(offset, buffer.count)
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw StorageError(.io, "cannot read the gzip spool: \(String(cString: strerror(errno)))") }
            done += count
        }
    }

    func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        throw StorageError(.readOnly, "the seeder's spool is read-only once packed")
    }

    func synchronize() throws {}
}

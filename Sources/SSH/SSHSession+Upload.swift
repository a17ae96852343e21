import CLibSSH2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SSHSession {
    /// Uploads the local file at `localPath` to `remotePath` over SFTP so that
    /// `remotePath` is either absent/old or complete, never partial: the bytes
    /// go to a temporary name beside it, are fsynced, given `permissions`, and
    /// only then renamed over `remotePath`.
    public func upload(contentsOf localPath: String, to remotePath: String, permissions: Int32 = 0o644) throws(SSHError) {
        let fd = open(localPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot open \(localPath): \(String(cString: strerror(errno)))")
        }
        defer { posixClose(fd) }
        try upload(to: remotePath, permissions: permissions) { (buffer: inout [UInt8]) throws(SSHError) -> Int in
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count >= 0 { return count }
                if errno != EINTR {
                    throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot read \(localPath): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// Uploads `bytes` to `remotePath`, atomically as `upload(contentsOf:to:permissions:)` does.
    public func upload(_ bytes: [UInt8], to remotePath: String, permissions: Int32 = 0o644) throws(SSHError) {
        var offset = 0
        try upload(to: remotePath, permissions: permissions) { (buffer: inout [UInt8]) throws(SSHError) -> Int in
            let count = min(buffer.count, bytes.count - offset)
            buffer.replaceSubrange(0..<count, with: bytes[offset..<(offset + count)])
            offset += count
            return count
        }
    }

    /// `nextChunk` fills the buffer's prefix and returns how much it filled; 0 ends the data.
    private func upload(
        to remotePath: String,
        permissions: Int32,
        nextChunk: (inout [UInt8]) throws(SSHError) -> Int
    ) throws(SSHError) {
        let handle = try openHandle(for: .upload)
        guard let sftp = libssh2_sftp_init(handle) else {
            throw failure(.upload, "cannot start SFTP; is the sftp subsystem enabled in the host's sshd_config?")
        }
        defer { _ = libssh2_sftp_shutdown(sftp) }

        let temporaryPath = remotePath + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var uploaded = false
        defer {
            // A failed upload leaves no half-written file behind (best effort).
            if !uploaded { _ = libssh2_sftp_unlink_ex(sftp, temporaryPath, UInt32(temporaryPath.utf8.count)) }
        }
        guard let file = libssh2_sftp_open_ex(
            sftp, temporaryPath, UInt32(temporaryPath.utf8.count),
            UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL), 0o600, LIBSSH2_SFTP_OPENFILE
        ) else {
            throw sftpFailure(sftp, "cannot create \(temporaryPath) on the host; does its directory exist and is it writable?")
        }
        var fileOpen = true
        defer { if fileOpen { _ = libssh2_sftp_close_handle(file) } }

        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var total = 0
        while true {
            let count = try nextChunk(&buffer)
            if count == 0 { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes {
                    libssh2_sftp_write(file, $0.baseAddress!.advanced(by: sent).assumingMemoryBound(to: CChar.self), count - sent)
                }
                guard written > 0 else {
                    throw sftpFailure(sftp, "writing \(temporaryPath) failed after \(total + sent) bytes; is the disk full?")
                }
                sent += written
            }
            total += count
        }

        if libssh2_sftp_fsync(file) != 0 {
            throw sftpFailure(sftp, "fsync of \(temporaryPath) failed")
        }
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(permissions)
        if libssh2_sftp_fstat_ex(file, &attributes, 1) != 0 {
            throw sftpFailure(sftp, "cannot set mode \(String(permissions, radix: 8)) on \(temporaryPath)")
        }
        fileOpen = false
        if libssh2_sftp_close_handle(file) != 0 {
            throw sftpFailure(sftp, "closing \(temporaryPath) failed")
        }

        let renamed = libssh2_sftp_rename_ex(
            sftp, temporaryPath, UInt32(temporaryPath.utf8.count), remotePath, UInt32(remotePath.utf8.count),
            Int(LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE)
        )
        if renamed != 0 {
            // SFTP v3 (what libssh2 speaks) refuses to rename over an existing
            // file, and libssh2 1.10 lacks OpenSSH's posix-rename extension;
            // mv(1) on the host is the same atomic rename(2).
            let result: SSHCommandResult
            do {
                result = try execute("mv -f -- \(shellQuoted(temporaryPath)) \(shellQuoted(remotePath))", timeout: configuration.operationTimeout)
            } catch {
                throw SSHError(host: error.host, stage: .upload, message: "cannot rename \(temporaryPath) to \(remotePath): \(error.message)", libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message)
            }
            guard result.succeeded else {
                throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot rename \(temporaryPath) to \(remotePath): \(result.stderrText)")
            }
        }
        uploaded = true
    }

    private func sftpFailure(_ sftp: OpaquePointer, _ message: String) -> SSHError {
        let error = failure(.upload, message)
        guard error.libssh2Code == LIBSSH2_ERROR_SFTP_PROTOCOL else { return error }
        let status = libssh2_sftp_last_error(sftp)
        return SSHError(
            host: error.host, stage: .upload, message: "\(message) (SFTP status \(status))",
            libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message
        )
    }
}

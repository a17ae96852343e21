import CRenameExchange
import Glibc

/// Which releases a sibling-layout destination holds, kept beside it in
/// `.NAME.swarmdeploy.release` (lines `current=ID` and `previous=ID`), since the tree itself
/// carries no name: `status` reads it, and every switch rewrites it (written to a new file and
/// renamed over the old, so it is never half written).
public struct SiblingRecord: Sendable, Equatable {
    /// The release at the destination, and the one kept as `DEST.prev`.
    public var current: String?
    public var previous: String?

    public init(current: String?, previous: String?) {
        self.current = current
        self.previous = previous
    }

    /// The record beside `paths.destination`, with each id dropped whose tree is gone.
    /// Nothing recorded (a tree installed before records were kept, or by hand) reads as nils.
    public static func read(_ paths: InstallPaths) -> SiblingRecord {
        var record = SiblingRecord(current: nil, previous: nil)
        guard let text = try? SmallFile.read(paths.releaseRecord) else { return record }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { continue }
            if parts[0] == "current" { record.current = parts[1] }
            if parts[0] == "previous" { record.previous = parts[1] }
        }
        if !FileTree.exists(paths.destination) { record.current = nil }
        if !FileTree.exists(paths.previous) { record.previous = nil }
        return record
    }

    public func write(_ paths: InstallPaths) throws(InstallError) {
        try SmallFile.write("current=\(current ?? "")\nprevious=\(previous ?? "")\n", to: paths.releaseRecord)
    }
}

/// Small files the installer keeps beside a destination: read whole, written to a new file
/// and renamed over the old one, so a reader never sees half of one.
public enum SmallFile {
    /// The file's text, up to `limit` bytes (the rest is not read).
    public static func read(_ path: String, limit: Int = 64 * 1024) throws(InstallError) -> String {
        String(decoding: try readBytes(path, limit: limit), as: UTF8.self)
    }

    /// The file's bytes, up to `limit` (the rest is not read).
    public static func readBytes(_ path: String, limit: Int) throws(InstallError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw InstallError("cannot open \(path): \(FileTree.systemMessage())") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw InstallError("cannot read \(path): \(FileTree.systemMessage())") }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }

    public static func write(_ text: String, to path: String) throws(InstallError) {
        try write(Array(text.utf8), to: path)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(InstallError) {
        let fresh = path + ".new"
        let descriptor = open(fresh, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw InstallError("cannot write \(fresh): \(FileTree.systemMessage())")
        }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let message = FileTree.systemMessage()
                close(descriptor)
                unlink(fresh)
                throw InstallError("cannot write \(fresh): \(message)")
            }
            done += written
        }
        close(descriptor)
        try FileTree.rename(fresh, to: path)
    }
}

extension Installer {
    /// Exchanges the destination and `DEST.prev` (a rollback in the sibling layout): atomically
    /// where the kernel allows, else through a third name, put back on failure.
    public static func exchangeWithPrevious(_ paths: InstallPaths) throws(InstallError) {
        guard FileTree.exists(paths.previous) else {
            throw InstallError("there is no previous tree to go back to (\(paths.previous) is missing)")
        }
        guard FileTree.exists(paths.destination) else {
            try FileTree.rename(paths.previous, to: paths.destination)
            return
        }
        if swarmdeploy_rename_exchange(paths.previous, paths.destination) == 0 { return }
        let aside = paths.stagingTree
        try FileTree.rename(paths.destination, to: aside)
        do throws(InstallError) {
            try FileTree.rename(paths.previous, to: paths.destination)
        } catch {
            _ = Glibc.rename(aside, paths.destination)
            throw error
        }
        try FileTree.rename(aside, to: paths.previous)
    }
}

/// One item of a directory tree as it will appear in the archive.
///
/// `path` is relative to the scanned root, uses "/" separators and has no
/// leading "./", no trailing "/" and no "." or ".." components.
public struct ArchiveEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        /// The link target exactly as `readlink` returned it.
        case symlink(target: String)
    }

    public let path: String
    public let kind: Kind
    /// Permission bits including setuid/setgid/sticky (`st_mode & 0o7777`).
    public let mode: UInt32
    /// Modification time in whole seconds since the epoch.
    public let mtime: Int64
    public let uid: UInt32
    public let gid: UInt32
    /// Byte size of a regular file; 0 for directories and symlinks.
    public let size: Int64

    public init(path: String, kind: Kind, mode: UInt32, mtime: Int64, uid: UInt32, gid: UInt32, size: Int64) {
        self.path = path
        self.kind = kind
        self.mode = mode & 0o7777
        self.mtime = mtime
        self.uid = uid
        self.gid = gid
        self.size = kind == .file ? size : 0
    }
}

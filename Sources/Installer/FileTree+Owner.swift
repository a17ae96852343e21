import Glibc

extension FileTree {
    /// Gives `path` and everything below it to `uid`:`gid`. Links are changed themselves, never
    /// followed, and the walk goes through descriptors opened with `O_NOFOLLOW` (as `remove`
    /// does), so an entry swapped for a link meanwhile cannot steer a root peer outside the
    /// tree. The kernel clears set-user-ID and set-group-ID bits of files whose owner changes.
    public static func changeOwner(_ path: String, uid: UInt32, gid: UInt32) throws(InstallError) {
        guard lchown(path, uid, gid) == 0 else {
            throw InstallError("cannot give \(path) to \(uid):\(gid): \(systemMessage())")
        }
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else {
            if errno == ENOTDIR || errno == ELOOP { return }
            throw InstallError("cannot open \(path): \(systemMessage())")
        }
        defer { close(directory) }
        try changeOwner(below: directory, shownAs: path, uid: uid, gid: gid)
    }

    private static func changeOwner(below directory: Int32, shownAs path: String, uid: UInt32, gid: UInt32) throws(InstallError) {
        for name in try entries(of: directory, shownAs: path) {
            let shown = path + "/" + name
            guard fchownat(directory, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw InstallError("cannot give \(shown) to \(uid):\(gid): \(systemMessage())")
            }
            let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else {
                if errno == ENOTDIR || errno == ELOOP { continue }
                throw InstallError("cannot open \(shown): \(systemMessage())")
            }
            defer { close(child) }
            try changeOwner(below: child, shownAs: shown, uid: uid, gid: gid)
        }
    }
}

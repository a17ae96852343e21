import Glibc

/// File-system steps the installer needs, on plain POSIX calls (the peer links no Foundation).
public enum FileTree {
    /// Whether anything (file, directory, symlink) exists at `path`, without following links.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates `path` and its missing parents (mode 0755).
    public static func makeDirectories(_ path: String) throws(InstallError) {
        var built = ""
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o755) != 0 && errno != EEXIST {
                throw InstallError("cannot create the directory \(built): \(systemMessage()); check the permissions of its parent")
            }
        }
        var info = stat()
        guard stat(path.isEmpty ? "/" : path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw InstallError("\(path) exists and is not a directory")
        }
    }

    /// Removes `path` and everything below it; nothing happens when it does not exist.
    /// Symlinks are removed, never followed.
    public static func remove(_ path: String) throws(InstallError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw InstallError("cannot inspect \(path): \(systemMessage())")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            // A read-only directory's entries cannot be unlinked by its owner: open it up first.
            if info.st_mode & S_IWUSR == 0 { _ = chmod(path, info.st_mode | S_IRWXU) }
            guard let directory = opendir(path) else {
                throw InstallError("cannot list \(path) to remove it: \(systemMessage())")
            }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { try remove(path + "/" + name) }
            guard rmdir(path) == 0 else { throw InstallError("cannot remove \(path): \(systemMessage())") }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw InstallError("cannot remove \(path): \(systemMessage())") }
        }
    }

    /// Bytes an unprivileged writer may still use on the file system holding `path`.
    public static func availableBytes(at path: String) throws(InstallError) -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw InstallError("cannot read the free space of \(path): \(systemMessage())")
        }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    static func systemMessage(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

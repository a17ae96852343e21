import Glibc

/// File-system steps the installer needs, on plain POSIX calls (the peer links no Foundation).
public enum FileTree {
    /// Whether anything (file, directory, symlink) exists at `path`, without following links.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a directory (not a symlink to one).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
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
    /// Symlinks are removed, never followed — also one swapped in for a directory while the
    /// removal runs: every step works on descriptors (`openat` with `O_NOFOLLOW`, `fchmod`,
    /// `unlinkat`) relative to the directory already opened, never on a path looked up
    /// again, so a peer running as root cannot be steered to chmod or delete outside.
    public static func remove(_ path: String) throws(InstallError) {
        let (parent, name) = split(path)
        let directory = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            if errno == ENOENT { return }
            throw InstallError("cannot open \(parent) to remove \(name) from it: \(systemMessage())")
        }
        defer { close(directory) }
        try removeEntry(name, in: directory, shownAs: path)
    }

    private static func removeEntry(_ name: String, in parent: Int32, shownAs path: String) throws(InstallError) {
        var info = stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw InstallError("cannot inspect \(path): \(systemMessage())")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if directory < 0 && (errno == ELOOP || errno == ENOTDIR) {
                // Replaced by a link or a file since the fstatat: remove that instead.
                return try unlinkEntry(name, in: parent, shownAs: path, flags: 0)
            }
            guard directory >= 0 else { throw InstallError("cannot open \(path) to remove it: \(systemMessage())") }
            defer { close(directory) }
            // A read-only directory's entries cannot be unlinked by its owner: open it up first.
            if info.st_mode & S_IWUSR == 0 { _ = fchmod(directory, (info.st_mode & 0o7777) | S_IRWXU) }
            for child in try entries(of: directory, shownAs: path) {
                try removeEntry(child, in: directory, shownAs: path + "/" + child)
            }
            try unlinkEntry(name, in: parent, shownAs: path, flags: AT_REMOVEDIR)
        } else {
            try unlinkEntry(name, in: parent, shownAs: path, flags: 0)
        }
    }

    private static func unlinkEntry(_ name: String, in parent: Int32, shownAs path: String, flags: Int32) throws(InstallError) {
        guard unlinkat(parent, name, flags) == 0 || errno == ENOENT else {
            throw InstallError("cannot remove \(path): \(systemMessage())")
        }
    }

    /// The names in the directory at `path`, without "." and "..", in no particular order.
    public static func entries(of path: String) throws(InstallError) -> [String] {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw InstallError("cannot list \(path): \(systemMessage())") }
        defer { close(directory) }
        return try entries(of: directory, shownAs: path)
    }

    /// The names in an open directory (the descriptor stays open and the caller's).
    static func entries(of directory: Int32, shownAs path: String) throws(InstallError) -> [String] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw InstallError("cannot list \(path): \(systemMessage())")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// "/srv/app" to ("/srv", "app"); "/app" to ("/", "app").
    private static func split(_ path: String) -> (parent: String, name: String) {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return (".", String(path)) }
        let parent = path[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(path[path.index(after: slash)...]))
    }

    /// Renames `from` to `to` (replacing `to` when the kernel allows), naming both on failure.
    public static func rename(_ from: String, to: String) throws(InstallError) {
        guard Glibc.rename(from, to) == 0 else {
            throw InstallError("cannot rename \(from) to \(to): \(systemMessage())")
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

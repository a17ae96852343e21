#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Local path handling for settings: `~` expansion and resolving relative
/// paths against the Deployfile's directory. Purely lexical: the files need
/// not exist yet.
enum PathResolution {
    /// The current user's home directory: `$HOME`, else the password database.
    static var homeDirectory: String {
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) }
        if let entry = getpwuid(geteuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    /// The current user's login name: the password database, else `$USER`.
    static var currentUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        if let user = getenv("USER"), user.pointee != 0 { return String(cString: user) }
        return "root"
    }

    /// `~` and `~/x` become the home directory; other paths are unchanged.
    static func expandTilde(_ path: String, home: String = homeDirectory) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return join(home, String(path.dropFirst(2))) }
        return path
    }

    /// Expands `~`, then makes a relative path relative to `base`.
    static func resolve(_ path: String, against base: String, home: String = homeDirectory) -> String {
        let expanded = expandTilde(path, home: home)
        if expanded.hasPrefix("/") { return normalize(expanded) }
        return normalize(join(base, expanded))
    }

    /// The directory part of `path`; `.` for a bare file name.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    static func join(_ base: String, _ relative: String) -> String {
        if base.isEmpty || base == "." { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// Drops `.` and empty parts and folds `x/..` where it can, keeping a
    /// leading `..` that would climb above a relative start.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}

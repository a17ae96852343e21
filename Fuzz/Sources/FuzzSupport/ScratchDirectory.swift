#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private directory under $TMPDIR (or /tmp) for one fuzzer process. Inputs write below
/// it and `removeTree` empties it between runs; scripts/fuzz.sh removes what a crash leaves.
public final class ScratchDirectory {
    public let path: String

    public init(prefix: String) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            fatalError("cannot create a scratch directory under \(base): errno \(errno)")
        }
        path = String(cString: made)
    }

    /// The names directly inside `directory`, without "." and "..".
    public static func names(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes `path` and everything below it, making directories writable first so an
    /// extracted read-only tree goes too. Never follows symlinks.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            unlink(path)
            return
        }
        chmod(path, 0o700)
        for name in names(in: path) {
            removeTree(path + "/" + name)
        }
        rmdir(path)
    }
}

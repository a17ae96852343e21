import Foundation

/// A fresh directory under the system temp dir, removed with everything in it when released.
///
/// mkdtemp makes it 0700 and unique; a test whose files a daemon reads after dropping its
/// privileges (opentracker as `nobody`) opens it up itself.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    /// - Parameter label: part of the directory's name, to tell whose it is in /tmp.
    public init(_ label: String = "test") throws {
        let safe = String(label.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40))
        let parent = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((parent + "swarmdeploy-\(safe).XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// The path of `name` inside the directory (which need not exist yet).
    public func path(_ name: String) -> String { path + "/" + name }

    public func url(_ name: String) -> URL { URL(fileURLWithPath: path(name)) }

    /// Writes `bytes` to `name` with `mode`, creating the directories on the way.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String, mode: mode_t = 0o644) throws -> String {
        let file = path(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        // Explicit, not left to the umask: some readers are other users.
        chmod(file, mode)
        return file
    }

    @discardableResult
    public func write(_ text: String, to name: String, mode: mode_t = 0o644) throws -> String {
        try write(Array(text.utf8), to: name, mode: mode)
    }

    public func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(name)))
    }

    public func readText(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    deinit {
        // Tests leave read-only directories behind on purpose; removal needs them writable.
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                var info = stat()
                let full = path + "/" + relative
                if lstat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { chmod(full, 0o755) }
            }
        }
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a fresh directory that is removed when it returns or throws: the
/// directory's lifetime is the closure's, whatever the optimizer does with local variables.
public func withTemporaryDirectory<T>(
    _ label: String = #function, _ body: (TemporaryDirectory) throws -> T
) throws -> T {
    let directory = try TemporaryDirectory(label)
    return try withExtendedLifetime(directory) { try body(directory) }
}

public func withTemporaryDirectory<T>(
    _ label: String = #function, _ body: (TemporaryDirectory) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory(label)
    defer { withExtendedLifetime(directory) {} }
    return try await body(directory)
}

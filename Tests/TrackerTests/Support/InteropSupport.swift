import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum InteropSupport {
    /// Set SWARMDEPLOY_SKIP_INTEROP=1 to skip on machines without the tools.
    static var isSkipped: Bool {
        ProcessInfo.processInfo.environment["SWARMDEPLOY_SKIP_INTEROP"] == "1"
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// The path of `name` on PATH (or in the usual system directories).
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"])
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A fresh directory that `nobody` can read (opentracker drops to that
/// user before reading its whitelist), removed when released.
final class ScratchDirectory {
    let url: URL

    init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmdeploy-\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func write(_ text: String, to name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        return file
    }
}

/// A child process that is always terminated: by `stop()`, or when released.
final class ChildProcess {
    let process = Process()
    let output: URL

    init(_ executable: String, _ arguments: [String], outputIn directory: URL) throws {
        output = directory.appendingPathComponent("child-output.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try? handle.close()
    }

    var isRunning: Bool { process.isRunning }

    var loggedOutput: String {
        (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// Kills the child with SIGKILL: opentracker ignores SIGTERM, and a
    /// test must never leave a tracker behind.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }
}

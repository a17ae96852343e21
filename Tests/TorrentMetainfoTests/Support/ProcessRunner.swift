import Foundation

/// The outcome of a finished child process.
struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String

    var succeeded: Bool { status == 0 }
}

enum ProcessRunner {
    /// Runs `executable` to completion and captures its output. Output goes
    /// to temporary files rather than pipes, so a chatty child can never
    /// block on a full pipe while we wait for it to exit.
    static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: URL? = nil
    ) throws -> ProcessResult {
        let scratch = try TemporaryDirectory(prefix: "process")
        let outURL = scratch.url.appendingPathComponent("stdout")
        let errURL = scratch.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()

        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: try String(contentsOf: outURL, encoding: .utf8),
            standardError: try String(contentsOf: errURL, encoding: .utf8)
        )
    }
}

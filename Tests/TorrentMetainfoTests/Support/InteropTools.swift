import Foundation

/// The real BitTorrent tools the interop tests compare against: Debian's
/// python3 with libtorrent bindings, and mktorrent.
enum InteropTools {
    /// Debian's interpreter; a `python3` found on PATH may be another build
    /// without the libtorrent bindings.
    static let python = "/usr/bin/python3"

    /// Set SWARMDEPLOY_SKIP_INTEROP=1 to skip on machines without the tools.
    static var isSkipped: Bool {
        ProcessInfo.processInfo.environment["SWARMDEPLOY_SKIP_INTEROP"] == "1"
    }

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws, failing the test, unless `import libtorrent` works.
    static func requireLibtorrent() throws {
        let hint = "install the Debian package python3-libtorrent (apt-get install python3-libtorrent), "
            + "or set SWARMDEPLOY_SKIP_INTEROP=1 to skip interop tests"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Unavailable(description: "\(python) is missing; \(hint)")
        }
        let result = try ProcessRunner.run(python, ["-c", "import libtorrent"])
        guard result.succeeded else {
            throw Unavailable(description: "\(python) cannot import libtorrent (\(result.standardError.trimmed)); \(hint)")
        }
    }

    /// The path of mktorrent; throws, failing the test, when it is not installed.
    static func requireMktorrent() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":")
            .map { "\($0)/mktorrent" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw Unavailable(
                description: "mktorrent is not installed; install the Debian package mktorrent "
                    + "(apt-get install mktorrent), or set SWARMDEPLOY_SKIP_INTEROP=1 to skip interop tests"
            )
        }
        return path
    }

    /// Runs a Python script with libtorrent and decodes the JSON it prints.
    static func runPython<Output: Decodable>(
        _ script: String,
        _ arguments: [String],
        as type: Output.Type
    ) throws -> Output {
        try requireLibtorrent()
        let result = try ProcessRunner.run(python, ["-c", script] + arguments)
        guard result.succeeded else {
            throw Unavailable(description: "python exited with \(result.status): \(result.standardError.trimmed)")
        }
        return try JSONDecoder().decode(Output.self, from: Data(result.standardOutput.utf8))
    }
}

extension String {
    var trimmed: String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

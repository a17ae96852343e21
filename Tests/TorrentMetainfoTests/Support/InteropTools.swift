import Foundation
import TestSupport

/// The real BitTorrent tools the interop tests compare against: Debian's
/// python3 with libtorrent bindings, and mktorrent.
enum InteropTools {
    /// Throws, failing the test, unless `import libtorrent` works.
    static func requireLibtorrent() async throws {
        let hint = Interop.hint(installing: "python3-libtorrent")
        guard FileManager.default.isExecutableFile(atPath: Interop.python) else {
            throw TestSetupError("\(Interop.python) is missing; \(hint)")
        }
        let result = try await ProcessRunner.run(Interop.python, ["-c", "import libtorrent"])
        guard result.succeeded else {
            throw TestSetupError("\(Interop.python) cannot import libtorrent (\(result.stderr.trimmed)); \(hint)")
        }
    }

    /// The path of mktorrent; throws, failing the test, when it is not installed.
    static func requireMktorrent() throws -> String {
        guard let path = Interop.executable("mktorrent") else {
            throw TestSetupError("mktorrent is not installed; \(Interop.hint(installing: "mktorrent"))")
        }
        return path
    }

    /// Runs a Python script with libtorrent and decodes the JSON it prints.
    static func runPython<Output: Decodable>(
        _ script: String,
        _ arguments: [String],
        as type: Output.Type
    ) async throws -> Output {
        try await requireLibtorrent()
        let result = try await ProcessRunner.run(Interop.python, ["-c", script] + arguments)
        guard result.succeeded else {
            throw TestSetupError("python exited with \(result.status): \(result.stderr.trimmed)")
        }
        return try JSONDecoder().decode(Output.self, from: Data(result.stdoutBytes))
    }
}

extension String {
    var trimmed: String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

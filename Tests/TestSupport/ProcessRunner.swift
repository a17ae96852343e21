import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a command to completion and collects what it printed, through swift-subprocess: it
/// reads stdout and stderr and writes stdin concurrently, so a chatty child never blocks on
/// a full pipe, and it waits on a pidfd, so it neither reaps nor is confused by other children.
///
/// Children that outlive a call, or must be stopped from a synchronous `deinit`, are
/// `BackgroundProcess`: swift-subprocess only runs a child within an async scope.
public enum ProcessRunner {
    /// How the child's environment is made.
    public enum EnvironmentChange: Sendable {
        /// This process's environment as it is.
        case inherit
        /// This process's environment with these variables set.
        case adding([String: String])
        /// Exactly these variables and no others.
        case replacing([String: String])
    }

    /// Large enough for any test's output (a whole tarball on stdout); past it the run throws.
    public static let outputLimit = 1 << 30

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`; stdin is empty unless `input` is given.
    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        in directory: String? = nil,
        environment: EnvironmentChange = .inherit,
        input: [UInt8]? = nil
    ) async throws -> CommandResult {
        let childEnvironment: Subprocess.Environment
        switch environment {
        case .inherit:
            childEnvironment = .inherit
        case .adding(let variables):
            childEnvironment = .inherit.updating(
                Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        case .replacing(let variables):
            childEnvironment = .custom(
                Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        }
        let configuration = Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(arguments),
            environment: childEnvironment,
            workingDirectory: directory.map { FilePath($0) }
        )
        let result = try await collect(configuration, input: input)
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return CommandResult(
            status: status,
            stdoutBytes: result.standardOutput,
            stderr: String(decoding: result.standardError, as: UTF8.self)
        )
    }

    /// Stdin is /dev/null without `input`, as for a command run from a script.
    private static func collect(
        _ configuration: Configuration, input: [UInt8]?
    ) async throws -> ExecutionResult<Void, BytesOutput, BytesOutput> {
        if let input {
            return try await Subprocess.run(
                configuration, input: .array(input), output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
        }
        return try await Subprocess.run(
            configuration, input: .none, output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
    }

    /// Runs a tool that must succeed and returns its stdout; throws with its stderr when it fails.
    @discardableResult
    public static func output(_ executable: String, _ arguments: [String] = []) async throws -> String {
        let result = try await run(executable, arguments)
        guard result.succeeded else {
            throw TestSetupError(
                "\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }
}

import Foundation
import TestSupport

/// The built `swarmdeploy` and `swarmdeploy-peer` executables, run as a user would.
enum CLI {
    /// The executables sit next to the test bundle in the build directory.
    static let binDirectory: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // The test binary may live inside a `.xctest` bundle directory.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("swarmdeploy").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    static var swarmdeployPath: String { binDirectory.appendingPathComponent("swarmdeploy").path }
    static var peerPath: String { binDirectory.appendingPathComponent("swarmdeploy-peer").path }

    /// The repository root, for the bundled Examples.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// - Parameter environment: replaces the inherited environment when given.
    static func swarmdeploy(
        _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil
    ) async throws -> CommandResult {
        try await ProcessRunner.run(
            swarmdeployPath, arguments, in: directory, environment: environment.map { .replacing($0) } ?? .inherit)
    }

    static func peer(_ arguments: [String], in directory: String? = nil) async throws -> CommandResult {
        try await ProcessRunner.run(peerPath, arguments, in: directory)
    }
}

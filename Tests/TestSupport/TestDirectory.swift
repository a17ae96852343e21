import Foundation

/// A fresh directory under the system temp dir, removed with its contents on deinit.
public final class TestDirectory {
    public let path: String

    public init(_ prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a tool to completion; returns its output, throws with it when the tool fails.
@discardableResult
public func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let scratch = try TestDirectory("tool")
    let outputPath = scratch.file("output")
    let status = Spawn.wait(try Spawn.start(executable, arguments, outputPath: outputPath))
    let output = (try? readText(outputPath)) ?? ""
    guard status == 0 else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
    }
    return output
}

/// Generates an unencrypted ed25519 key pair at `path` and `path.pub`.
public func generateKey(at path: String, comment: String) throws {
    try runTool("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
}

/// "SHA256:…" as `ssh-keygen -lf` prints it for a public key file.
public func openSSHFingerprint(ofPublicKey path: String) throws -> String {
    let line = try runTool("/usr/bin/ssh-keygen", ["-lf", path])
    let fields = line.split(separator: " ")
    guard fields.count >= 2, fields[1].hasPrefix("SHA256:") else {
        throw TestSetupError("unexpected ssh-keygen -l output: \(line)")
    }
    return String(fields[1])
}

public func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

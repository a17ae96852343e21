import Crypto
import Foundation
import Push

/// Finds the peer program to upload to hosts: `--peer-binary`, else `$SWARMDEPLOY_PEER`,
/// else `swarmdeploy-peer` beside this executable (where a release puts it).
enum PeerBinaryLocator {
    static let environmentVariable = "SWARMDEPLOY_PEER"

    static func locate(flag: String?) throws(CommandFailure) -> PeerBinary {
        let environment = ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let besideUs = URL(fileURLWithPath: executablePath()).deletingLastPathComponent().appendingPathComponent("swarmdeploy-peer").path
        let (path, origin) = flag.map { ($0, "--peer-binary") }
            ?? environment.map { ($0, "$\(environmentVariable)") }
            ?? (besideUs, "beside swarmdeploy")
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .badInput("""
                no peer program at \(path) (\(origin)): push uploads swarmdeploy-peer to every host. \
                Build it with scripts/build-peer.sh and pass --peer-binary .build-peer/swarmdeploy-peer \
                (or set \(environmentVariable))
                """)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        guard size > 0 else { throw .badInput("the peer program \(path) (\(origin)) is empty") }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return PeerBinary(path: path, sha256: digest, size: size)
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

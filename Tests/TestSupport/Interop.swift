import Foundation

/// The interop tests compare us with the real thing (GNU tar, libtorrent, opentracker,
/// mktorrent). CI has the tools; a machine without them sets SWARMDEPLOY_SKIP_INTEROP=1.
public enum Interop {
    public static let skipVariable = "SWARMDEPLOY_SKIP_INTEROP"

    public static var isSkipped: Bool {
        ProcessInfo.processInfo.environment[skipVariable] == "1"
    }

    /// Debian's interpreter, which has the libtorrent bindings; a `python3` found on PATH
    /// may be another build without them.
    public static let python = "/usr/bin/python3"

    /// How to get a missing tool, or skip the tests that need it.
    public static func hint(installing package: String) -> String {
        "install the Debian package \(package) (apt-get install \(package)), "
            + "or set \(skipVariable)=1 to skip interop tests"
    }

    /// `path` when it is an executable; otherwise throws, failing the test, saying which
    /// package to install.
    @discardableResult
    public static func require(_ path: String, package: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError("\(path) is missing; \(hint(installing: package))")
        }
        return path
    }

    /// The path of `name` on PATH, or in the usual system directories.
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin"])
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

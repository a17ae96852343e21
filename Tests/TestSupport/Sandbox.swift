import Foundation

/// A fleet from `scripts/sandbox.sh`: hosts in network namespaces, each with its own sshd,
/// private /srv and shaped link, reachable only from the sandbox's controller namespace
/// (see `NetworkNamespace`). It needs root and `ip netns`; CI has both.
///
/// Bring one up with `Sandbox.with(...)`, which takes it down again also when the body throws.
/// Names and subnets are random so that sandboxes of concurrent runs do not collide.
public final class Sandbox: Sendable {
    public static let scriptPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/sandbox.sh").path

    /// Runs scripts/sandbox.sh with `arguments`, as the tests of the script itself do.
    public static func script(_ arguments: [String]) async throws -> CommandResult {
        try await ProcessRunner.run("/bin/bash", [scriptPath] + arguments)
    }

    /// Root, `ip netns` that works, and an sshd to run on the hosts.
    public static func isUsable() async -> Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else { return false }
        return (try? await ProcessRunner.run("/bin/sh", ["-c", "ip netns list"]).succeeded) ?? false
    }

    public let name: String
    public let directory: TemporaryDirectory
    /// "root@10.x.0.11 name=h1" lines, as in the hosts file.
    public let hostLines: [String]
    public let hostAddresses: [String]
    public let unreachableAddresses: [String]
    /// The controller namespace's IPv4 address, which the hosts reach.
    public let controllerAddress: String

    /// The script's state: hosts file, key, known_hosts, the hosts' logs.
    public var dir: String { directory.path("sandbox") }
    public var hostsFile: String { dir + "/hosts.txt" }
    public var identityFile: String { dir + "/id_ed25519" }
    public var knownHostsFile: String { dir + "/known_hosts" }
    public var controllerNamespace: String { name + "-ctl" }

    /// Brings up `hosts` hosts and `unreachable` silent ones, runs `body`, and takes the
    /// sandbox down whether `body` returns or throws.
    /// - Parameter options: more `up` options, such as `--rate 500mbit` or `--disk 400m`.
    public static func with<T>(
        hosts: Int, unreachable: Int = 0, options: [String] = [], namePrefix: String = "sds",
        _ body: (Sandbox) async throws -> T
    ) async throws -> T {
        let sandbox = try await up(hosts: hosts, unreachable: unreachable, options: options, namePrefix: namePrefix)
        do {
            let result = try await body(sandbox)
            await sandbox.down()
            return result
        } catch {
            await sandbox.down()
            throw error
        }
    }

    /// Brings a sandbox up; the caller must `down()` it (prefer `with`).
    public static func up(
        hosts: Int, unreachable: Int = 0, options: [String] = [], namePrefix: String = "sds"
    ) async throws -> Sandbox {
        let name = namePrefix + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        let directory = try TemporaryDirectory("sandbox")
        let dir = directory.path("sandbox")
        let up = try await script(
            ["up", "\(hosts)", "--unreachable", "\(unreachable)"] + options
                + ["--name", name, "--subnet", "10.\(Int.random(in: 100...199))", "--dir", dir])
        guard up.succeeded else {
            _ = try? await script(["down", "--name", name, "--dir", dir])
            throw TestSetupError("the sandbox did not come up (run scripts/sandbox.sh up by hand to see why): \(up.stdout)\(up.stderr)")
        }
        return try Sandbox(name: name, directory: directory)
    }

    private init(name: String, directory: TemporaryDirectory) throws {
        self.name = name
        self.directory = directory
        hostLines = try Self.lines(of: directory.path("sandbox/hosts.txt"))
        hostAddresses = hostLines.map(Self.address)
        unreachableAddresses = try Self.lines(of: directory.path("sandbox/unreachable.txt")).map(Self.address)
        let environment = try String(contentsOfFile: directory.path("sandbox/env"), encoding: .utf8)
        guard let line = environment.split(separator: "\n").first(where: { $0.hasPrefix("export SANDBOX_CONTROLLER_ADDR=") }) else {
            throw TestSetupError("the sandbox's env file names no controller address")
        }
        controllerAddress = String(line.dropFirst("export SANDBOX_CONTROLLER_ADDR=".count))
    }

    /// Removes the namespaces, the hosts' sshd and the script's directory.
    public func down() async {
        _ = try? await Self.script(["down", "--name", name, "--dir", dir])
    }

    /// Runs `arguments` in the controller's namespace, from which the hosts are reachable.
    public func controller(_ arguments: [String]) async throws -> CommandResult {
        try await Self.script(["controller", "--name", name, "--"] + arguments)
    }

    /// Runs a shell command on host `index` (1-based), in its network and mount namespace.
    /// `arguments` become the command's $0, $1, ...
    public func onHost(_ index: Int, _ command: String, arguments: [String] = []) async throws -> CommandResult {
        try await Self.script(["host", "\(index)", "--name", name, "--", "/bin/sh", "-c", command] + arguments)
    }

    /// Reshapes host `index`'s link to `rate` (e.g. "5mbit") both ways; the others keep theirs.
    public func setLinkRate(host index: Int, _ rate: String) async throws {
        let result = try await Self.script(["link", "\(index)", "--name", name, "--rate", rate])
        guard result.succeeded else { throw TestSetupError("sandbox.sh link \(index) --rate \(rate): \(result.stderr)") }
    }

    private static func lines(of path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    /// "root@10.77.0.11 name=h1" to "10.77.0.11", "deploy@[fd00:10:77::101] name=h1" to "fd00:10:77::101".
    private static func address(_ line: String) -> String {
        let login = line.split(separator: " ")[0]
        let address = login.firstIndex(of: "@").map { login[login.index(after: $0)...] } ?? login
        return address.hasPrefix("[") ? String(address.dropFirst().dropLast()) : String(address)
    }
}

import DeployProtocol

/// Runs hooks for one destination: each gets the release it concerns in its environment
/// (`HookEnvironment`), and each line it writes goes to the controller as a `hook` event.
struct HookCaller: Sendable {
    let destination: String
    let emit: @Sendable (PeerEvent) -> Void

    /// The release being switched to and where it is; the one in use before it and where.
    struct Releases {
        var release: String?
        var path: String
        var previous: String?
        var previousPath: String?
    }

    func run(_ name: HookName, _ command: String, _ releases: Releases, timeoutMilliseconds: Int64) -> HookRunner.Ending {
        let environment = [
            HookEnvironment.hook: name.rawValue,
            HookEnvironment.release: releases.release ?? "",
            HookEnvironment.releasePath: releases.path,
            HookEnvironment.previousRelease: releases.previous ?? "",
            HookEnvironment.previousPath: releases.previousPath ?? "",
            HookEnvironment.destination: destination,
        ]
        let runner = HookRunner(command: command, environment: environment, timeout: .milliseconds(timeoutMilliseconds))
        return runner.run { line in emit(.hook(name: name, message: line)) }
    }
}

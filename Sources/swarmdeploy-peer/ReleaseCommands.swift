import ArgumentParser
import DeployProtocol
import Glibc
import PeerAgent

/// What `swarmdeploy status` runs on each host: one `status` line describing the destination.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print which release a destination holds (run by swarmdeploy status).",
        discussion: """
            Prints one line: the layout (releases, sibling or none), the release in use, the one \
            before it, and in the release layout every release on the host.

            Example:
              swarmdeploy-peer status /opt/app
            """
    )

    @Argument(help: "The destination, as pushed to.")
    var destination: String

    func run() throws {
        printLine(try ReleaseCommands.status(destination: destination).line)
    }
}

/// What `swarmdeploy rollback` runs on each host: switch back to a release already there.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Switch a destination back to its previous (or the named) release (run by swarmdeploy rollback).",
        discussion: """
            In the release layout, DESTINATION/current is pointed at the release before the \
            current one, or at --release. In the sibling layout, DESTINATION and DESTINATION.prev \
            change places. The hooks run around the switch as in a push. Prints the events and \
            then the destination's status line.

            Exit status: 0 switched, 1 failed (the last line says why).

            Example:
              swarmdeploy-peer rollback /opt/app --release 20261206T133501Z-1a2b3c4d
            """
    )

    @Argument(help: "The destination, as pushed to.")
    var destination: String

    @Option(help: ArgumentHelp("The release to switch to (default: the one before the current).", valueName: "id"))
    var release: String?

    @Option(help: ArgumentHelp("Run before the switch, through the login shell.", valueName: "command"))
    var beforeActivate: String?

    @Option(help: ArgumentHelp("Run after the switch, through the login shell.", valueName: "command"))
    var afterActivate: String?

    @Option(help: ArgumentHelp("The longest a hook may run, in seconds.", valueName: "seconds"))
    var hookTimeout: Int = 300

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        if let release, let problem = ReleaseID.problem(with: release) {
            throw ValidationError("--release \(release): \(problem)")
        }
        let hooks = HookCommands(
            beforeActivate: beforeActivate, afterActivate: afterActivate,
            hookTimeoutMilliseconds: Int64(max(1, min(hookTimeout, 30 * 24 * 3600))) * 1000)
        do {
            let status = try ReleaseCommands.rollback(destination: destination, to: release, hooks: hooks) { event in printLine(event.line) }
            printLine(status.line)
        } catch {
            printLine(PeerEvent.failed(stage: .install, message: "\(error)").line)
            throw ExitCode(1)
        }
    }
}

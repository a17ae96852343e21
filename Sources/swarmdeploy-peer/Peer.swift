import ArgumentParser
import DeployProtocol
import Dispatch

/// The entry point: runs the command on a task and keeps the main thread waiting for it.
/// Swift's `async` main would instead end the main thread with `pthread_exit`, whose forced
/// unwinding first sorts every unwind table entry of this large static binary — tens of
/// milliseconds of CPU at every start, on every host.
@main
enum PeerMain {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        // Detached: a plain Task would inherit the main actor, whose queue nobody drains here.
        Task.detached {
            await Peer.main()
            finished.signal()
        }
        finished.wait()
    }
}

/// The program swarmdeploy uploads to and runs on every target host. Its release build is
/// linked fully statically, so it runs on a host with no Swift toolchain, no libssh2 and an
/// older glibc than the build machine's.
struct Peer: AsyncParsableCommand {
    /// swarmdeploy's own version, so a host's cached peer is
    /// known to match the controller that uploaded it.
    static let version = SwarmdeployVersion.current

    static let configuration = CommandConfiguration(
        commandName: "swarmdeploy-peer",
        abstract: "The swarmdeploy agent that runs on each target host.",
        discussion: """
            swarmdeploy uploads and starts this program over SSH; the subcommands below also \
            work by hand, for debugging.

            Examples:
              swarmdeploy-peer verify release.torrent release.tar
              swarmdeploy-peer extract release.tar --into /opt/app.new
            """,
        version: version,
        subcommands: [DeployCommand.self, CleanUpCommand.self, StatusCommand.self, RollbackCommand.self, DownloadCommand.self, VerifyCommand.self, ExtractCommand.self, VersionCommand.self]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the peer's version."
    )

    func run() {
        print("swarmdeploy-peer \(Peer.version)")
    }
}

import ArgumentParser
import Glibc
import PeerAgent

/// What `swarmdeploy push` runs on every host: read the job from standard input, download
/// through the swarm, verify, extract beside the destination, switch it into place, seed for
/// the others, and exit. Progress goes to standard output as `PeerEvent` lines.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Run one host's part of a push; the job arrives on standard input (started by swarmdeploy push).",
        discussion: """
            The job (torrent, tracker URLs with the deploy's secret, destination, grace period) is \
            read from standard input, never from arguments, so `ps` does not reveal it. After the \
            job, standard input carries control lines; when it closes (the controller or its SSH \
            connection went away) the peer stops: before installing it removes its staging files \
            and leaves the destination untouched; after installing it stops seeding.

            Exit status: 0 installed, 1 failed (the last line on standard output says at which stage).

            For the fault tests only: with SWARMDEPLOY_PEER_CORRUPT_UPLOADS=1 in its environment \
            the peer corrupts every block it serves, so the others must ban it.
            """
    )

    @Option(help: ArgumentHelp("Port to accept other peers on (0: any free port).", valueName: "port"))
    var port = 0

    func run() async throws {
        // The controller reads our events through a pipe; a closed channel must not kill us
        // with SIGPIPE before we clean up.
        signal(SIGPIPE, SIG_IGN)
        var deployment = HostDeployment(port: port) { event in printLine(event.line) }
        deployment.corruptsUploads = getenv("SWARMDEPLOY_PEER_CORRUPT_UPLOADS").map { String(cString: $0) == "1" } ?? false
        guard await deployment.run() else { throw ExitCode(1) }
    }
}

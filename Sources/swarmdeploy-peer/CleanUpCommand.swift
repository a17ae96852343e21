import ArgumentParser
import PeerAgent

/// What `swarmdeploy push` runs on a host whose peer was killed before installing: the
/// staging files of that deploy (possibly a whole tarball) would otherwise stay until the next
/// push to the same destination.
struct CleanUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean-up",
        abstract: "Remove the staging files a killed deploy left beside its destination (run by swarmdeploy push).",
        discussion: """
            Removes DESTINATION's staging tarball and tree of the deploy with INFO-HASH, unless a \
            deploy to DESTINATION is running (it holds the destination's lock), whose files they \
            may be. The destination itself is never touched.

            Example:
              swarmdeploy-peer clean-up /opt/app 6358db04f527ffd3a1e0c2b9d8f7e6a5b4c3d2e1
            """
    )

    @Argument(help: "The destination the deploy was installing into.")
    var destination: String

    @Argument(help: ArgumentHelp("The torrent's info-hash, in hex.", valueName: "info-hash"))
    var infoHash: String

    func run() throws {
        printLine(try HostDeployment.cleanUpAfterKilledDeploy(destination: destination, infoHash: infoHash))
    }
}

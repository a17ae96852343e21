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
            Removes the staging tarballs and trees that deploys to DESTINATION left beside it, \
            unless a deploy to DESTINATION is running (it holds the destination's lock), whose \
            files they may be. The destination itself is never touched.

            Example:
              swarmdeploy-peer clean-up /opt/app
            """
    )

    @Argument(help: "The destination the deploy was installing into.")
    var destination: String

    func run() throws {
        printLine(try HostDeployment.cleanUpAfterKilledDeploy(destination: destination))
    }
}

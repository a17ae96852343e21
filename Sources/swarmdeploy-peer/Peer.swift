import ArgumentParser

/// The program swarmdeploy uploads to and runs on every target host. Its release build is
/// linked fully statically, so it runs on a host with no Swift toolchain, no libssh2 and an
/// older glibc than the build machine's.
@main
struct Peer: AsyncParsableCommand {
    /// Kept equal to swarmdeploy's own version (a test checks), so a host's cached peer is
    /// known to match the controller that uploaded it.
    static let version = "0.1.0"

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
        subcommands: [DeployCommand.self, DownloadCommand.self, VerifyCommand.self, ExtractCommand.self, VersionCommand.self]
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

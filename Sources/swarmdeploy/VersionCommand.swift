import ArgumentParser
import Archive
import DeployConfiguration
import DeployProtocol
import SSH

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of swarmdeploy and of the libraries it uses.",
        discussion: "Example:\n  swarmdeploy version"
    )

    func run() {
        print("swarmdeploy \(SwarmdeployVersion.current)")
        print("libssh2 \(SSHLibrary.version)")
        print("zlib \(Zlib.version)")
    }
}

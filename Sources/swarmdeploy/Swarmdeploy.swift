import ArgumentParser
import DeployConfiguration
import DeployProtocol

@main
struct Swarmdeploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarmdeploy",
        abstract: "Push a directory to many servers at once over BitTorrent.",
        discussion: """
            swarmdeploy packs a directory into a deterministic tarball, describes it as a \
            BitTorrent v1 torrent, and lets the target hosts share its pieces with each \
            other, so delivering to N hosts takes about as long as one copy.

            Examples:
              swarmdeploy push build/ to /opt/app on hosts.txt --dry-run
              swarmdeploy push build/ to /opt/app on hosts.txt --layout releases --health-check 'curl -fsS localhost/up'
              swarmdeploy status --to /opt/app --on hosts.txt
              swarmdeploy rollback --to /opt/app --on hosts.txt
              swarmdeploy pack build/ -o release-42 --gzip --tracker http://tracker:6969/announce
              swarmdeploy exec --on hosts.txt -- df -h /opt
              swarmdeploy version

            Exit codes:
              0   success
              1   controller failure (an unexpected error on this machine)
              2   hosts failed (more than --max-failures), the rollout stopped, or (status) the hosts disagree
              3   partial: some hosts failed, no more than --max-failures
              64  bad input (arguments, hosts file, Deployfile, source directory)
            """,
        version: SwarmdeployVersion.current,
        subcommands: [PushCommand.self, StatusCommand.self, RollbackCommand.self, ExecCommand.self, PackCommand.self, SeedCommand.self, TrackerCommand.self, SimulateCommand.self, VersionCommand.self]
    )

    /// Parses with support for options whose value is optional (`--gzip` or `--gzip=9`),
    /// which swift-argument-parser does not model, then runs the chosen command.
    static func main() async {
        let arguments = OptionalValueOptions.expand(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            failure.report()
            exit(withError: ExitCode(failure.exitCode.rawValue))
        } catch {
            exit(withError: error)
        }
    }
}

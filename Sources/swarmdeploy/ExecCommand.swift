import ArgumentParser
import DeployConfiguration
import Fleet
import Foundation
import SSH

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command on every host in a hosts file, in parallel over SSH.",
        usage: "swarmdeploy exec --on <hosts-file> [<options>] -- <command> [<arg> ...]",
        discussion: """
            Everything after '--' is the command. Several words are quoted one by one, so each \
            reaches the command as given; a single word is handed to the remote shell as a \
            command line, as 'ssh host CMD' does, so pipes and globs work when quoted locally.

            Each output line is printed as it arrives, prefixed with 'user@host:port: ' \
            (standard output to standard output, standard error to standard error). Control \
            characters in it (terminal escape sequences included) are shown as \\xNN, so no host \
            can rewrite what the terminal shows; --raw prints them as they are. A summary \
            follows on standard error. With --json a report goes to standard output instead.

            Examples:
              swarmdeploy exec --on hosts.txt -- df -h /opt
              swarmdeploy exec --on hosts.txt --accept-new-host-keys -- true
              swarmdeploy exec --on hosts.txt --user deploy -- 'systemctl is-active app'
              swarmdeploy exec --on hosts.txt --json --timeout 30s -- uname -r
              swarmdeploy exec --on hosts.txt --junit preflight.xml -- test -w /opt

            Exit codes: 0 every host ran the command and it exited 0, 1 controller failure, \
            2 a host failed (could not connect or authenticate, host key refused, nonzero exit, \
            timeout), 64 bad input (nothing was contacted).
            """
    )

    @Option(help: ArgumentHelp("Hosts file: one [user@]host[:port] per line, optional key=value labels.", valueName: "hosts-file"))
    var on: String?

    @Option(name: .customLong("deployfile"), help: ArgumentHelp("Read SSH settings and the hosts file from this Deployfile (default: ./Deployfile if present).", valueName: "path"))
    var deployfile: String?

    @Option(help: ArgumentHelp("Give up on a host's command after this long, e.g. 60s (default: 10m).", valueName: "duration"))
    var timeout: String?

    @Flag(help: "Print a JSON report (per host: name, status, exit status, seconds, error, output) on standard output.")
    var json = false

    @Option(help: ArgumentHelp("Also write a JUnit XML report here: one test case per host, failed with why (for CI systems).", valueName: "file"))
    var junit: String?

    @Flag(help: "Do not print the commands' output; only the summary.")
    var quiet = false

    @Flag(help: "Print the commands' output unchanged, control characters and escape sequences included (only for hosts you trust).")
    var raw = false

    @OptionGroup(title: "SSH") var ssh: SSHFlags

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run, after '--'.", valueName: "command"))
    var command: [String] = []

    func run() async throws {
        let request = try ExecRequest(
            command: command, hostsFlag: on, deployfile: deployfile, timeout: timeout, ssh: ssh
        )
        let hosts = try FleetTargets.hosts(request.hosts, settings: request.settings)
        let junitFile = try JUnitFile(path: junit)
        let started = Date()
        let report = await ExecRun.run(request, hosts: hosts, streamOutput: !json && !quiet, rawOutput: raw, collectOutput: json || junit != nil)
        try junitFile?.write(report.junit(started: started, seconds: Date().timeIntervalSince(started)))
        if json {
            printLine(try report.jsonText())
        } else {
            StandardError.write(report.summaryText())
        }
        if report.failedCount > 0 {
            throw CommandFailure(exitCode: .hostsFailed, message: "\(report.failedCount) of \(report.hosts.count) hosts failed")
        }
    }
}

import ArgumentParser
import Archive
import DeployConfiguration
import Foundation
import Push

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Deliver a directory to every host in a hosts file through a BitTorrent swarm.",
        usage: "swarmdeploy push <dir> to <dest> on <hosts-file> [<options>]",
        discussion: """
            The words 'to' and 'on' are literal. DIR, DEST and HOSTS may also come from \
            --to/--on or from a Deployfile (./Deployfile is read when present, or --deployfile). \
            Command-line flags override the Deployfile.

            Each host downloads the tarball from this machine and from the other hosts, verifies \
            it, extracts it beside DEST and switches it into place atomically (the old tree is kept \
            as DEST.prev unless --no-keep-previous). A host that fails keeps its DEST as it was.

            With --layout releases, each push installs into DEST/releases/<id> (id: UTC time and \
            the archive's hash) and DEST/current is relinked; 'swarmdeploy rollback' goes back. Each \
            host switches as soon as it has the tree; with --activate together every host waits \
            for the last one, so the fleet runs mixed versions for about a second; --canary and \
            --batch switch in waves, \
            and more failures than --max-failures stop the waves that have not begun. Hooks run \
            through each host's login shell with SWARMDEPLOY_RELEASE, SWARMDEPLOY_RELEASE_PATH, \
            SWARMDEPLOY_PREVIOUS_RELEASE, SWARMDEPLOY_PREVIOUS_PATH and SWARMDEPLOY_DESTINATION set; \
            a host whose health check keeps failing is switched back.

            Each host builds the pieces of files it already holds (the tree being replaced) and \
            downloads only the rest (--no-reuse downloads everything); a compressed archive \
            (--compress zstd, for first pushes and slow links) is always downloaded whole.

            --torrent pushes a release 'swarmdeploy pack' made (in a CI build job, say) without \
            re-packing: the tarball is checked against the torrent before any host is contacted. With \
            --web-seed URL (or URLs the torrent lists), the hosts fetch the pieces from that HTTP \
            server, each a share, and the rest from each other; the controller seeds only hosts the \
            web seeds leave without, and with --no-local-seed not at all.

            --max-rate caps what the push puts on each host's link, each way, and on this \
            machine's uplink, headers included, in every second: for links that carry \
            production traffic too. The peers enforce it themselves.

            Examples:
              swarmdeploy push build/ to /opt/app on hosts.txt
              swarmdeploy push build/ to /opt/app on hosts.txt --json --max-failures 2 > report.json
              swarmdeploy push build/ to /opt/app on hosts.txt --junit deploy.xml
              swarmdeploy push build/ to /opt/app on hosts.txt --dry-run
              swarmdeploy push build/ to /opt/app on hosts.txt --dry-run --json
              swarmdeploy push build/ --to /opt/app --on hosts.txt --user deploy -i ~/.ssh/deploy_ed25519
              swarmdeploy push build/ to /opt/app on hosts.txt -F ~/.ssh/config --sudo --owner app:app
              swarmdeploy push --deployfile deploy/Deployfile --dry-run
              swarmdeploy push build/ to /opt/app on hosts.txt --verbose 2> push.log
              swarmdeploy push build/ to /opt/app on hosts.txt --layout releases --keep-releases 3 \\
                --after-activate 'systemctl restart app' --health-check 'curl -fsS localhost:8080/up'
              swarmdeploy push build/ to /opt/app on hosts.txt --canary 1 --batch 25% --max-failures 10%
              swarmdeploy push build/ to /opt/app on new-hosts.txt --compress zstd=1
              swarmdeploy push build/ to /opt/app on hosts.txt --max-rate 200mbit
              swarmdeploy push --torrent release-42.torrent to /opt/app on hosts.txt
              swarmdeploy push --torrent release-42.torrent to /opt/app on hosts.txt \\
                --web-seed http://artifacts.internal/releases/ --no-local-seed

            Exit codes: 0 every host succeeded, 1 controller failure, 2 hosts failed (more than \
            --max-failures, or the rollout stopped before some hosts' turn), 3 partial (some hosts \
            failed, no more than --max-failures), 64 bad input.
            """
    )

    @Argument(help: ArgumentHelp("DIR to DEST on HOSTS", valueName: "words"))
    var words: [String] = []

    @Option(help: ArgumentHelp("Destination directory on every host (absolute path).", valueName: "dest"))
    var to: String?

    @Option(help: ArgumentHelp("Hosts file: one [user@]host[:port] per line, optional key=value labels.", valueName: "hosts-file"))
    var on: String?

    @Option(name: .customLong("deployfile"), help: ArgumentHelp("Read settings from this Deployfile (default: ./Deployfile if present).", valueName: "path"))
    var deployfile: String?

    @Flag(help: "Show the plan (payload, pieces, hosts, expected time, steps per host) and contact nothing.")
    var dryRun = false

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    @Flag(help: "Print only errors and the final result.")
    var quiet = false

    @Option(help: ArgumentHelp("The peer program uploaded to hosts (default: $SWARMDEPLOY_PEER, else swarmdeploy-peer beside this program).", valueName: "file"))
    var peerBinary: String?

    @Option(help: ArgumentHelp(
        "Write the push's torrent here before any host is contacted: a record of what was pushed, or the info-hash for an external tracker's whitelist.",
        valueName: "file"))
    var writeTorrent: String?

    @Option(help: ArgumentHelp(
        "Also write a JUnit XML report here: one test case per host, failed with its stage and why, or skipped (for CI systems).",
        valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp(
        "Push a release 'swarmdeploy pack' made, as it is (instead of DIR): its tarball is the file the torrent names, beside it.",
        valueName: "file"))
    var torrent: String?

    @Option(name: .customLong("payload"), help: ArgumentHelp("The tarball of --torrent, when it is not beside the torrent.", valueName: "file"))
    var payloadFile: String?

    @OptionGroup(title: "Payload") var payload: PayloadFlags

    @OptionGroup(title: "SSH") var ssh: SSHFlags

    @OptionGroup(title: "Transfer") var transfer: TransferFlags

    @OptionGroup(title: "Releases and activation") var rollout: RolloutFlags

    @OptionGroup(title: "Diagnostics") var log: LogFlags

    func run() async throws {
        let logger = try log.logger()
        let settings = try resolveSettings()
        let plan = try CommandFailure.push { () throws(PushError) in
            try PushPlan(settings: settings, environment: ProcessInfo.processInfo.environment)
        }
        for notice in plan.notices { StandardError.write("swarmdeploy: note: \(notice)\n") }
        guard dryRun else {
            try await PushExecution.run(
                plan, peerBinaryFlag: peerBinary, writeTorrent: writeTorrent, junit: try JUnitFile(path: junit), json: json, quiet: quiet,
                logger: logger)
            return
        }
        let preview = try DryRun.render(plan, quiet: quiet || json)
        if json {
            print(try JSONOutput.text(preview))
        } else {
            print(preview.renderText())
        }
    }

    /// Defaults, then the Deployfile, then flags: the later wins.
    private func resolveSettings() throws(CommandFailure) -> PushSettings {
        var settings = try BaseSettings.load(deployfile: deployfile)
        let positional = try PushWords.parse(words)
        if positional.destination != nil, to != nil {
            throw .badInput("the destination is given twice: use either 'to DEST' or '--to DEST'")
        }
        if positional.hostsFile != nil, on != nil {
            throw .badInput("the hosts file is given twice: use either 'on HOSTS' or '--on HOSTS'")
        }
        if let source = positional.source { settings.source = source }
        if let torrent {
            settings.torrent = torrent
            // A packed release replaces the Deployfile's directory; one on the command line is a conflict.
            if positional.source == nil { settings.source = nil }
        }
        if let payloadFile { settings.payloadFile = payloadFile }
        if torrent != nil, payload.pieceSize != nil || payload.compress != nil || payload.gzipLevel != nil {
            throw .badInput("--piece-size, --compress and --gzip shape a new tarball; a packed release (--torrent) is pushed as it was packed")
        }
        if let destination = positional.destination ?? to { settings.destination = destination }
        if let hostsFile = positional.hostsFile ?? on { settings.hostsFile = hostsFile }
        try payload.apply(to: &settings)
        try ssh.apply(to: &settings)
        try transfer.apply(to: &settings)
        try rollout.apply(to: &settings.rollout)
        return settings
    }
}

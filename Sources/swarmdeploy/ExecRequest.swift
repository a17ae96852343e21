import DeployConfiguration
import SSH

/// An `exec` whose inputs are all present and valid: made before any host is
/// contacted, so bad input fails fast (exit 64) and touches nothing.
struct ExecRequest {
    let settings: PushSettings
    let hostsFile: String
    let hosts: [HostEntry]
    /// The command line the remote shell runs.
    let commandLine: String
    /// How long each host's command may run.
    let timeout: Duration

    /// How long a command may run when --timeout is not given.
    static let defaultTimeout = Duration.seconds(600)

    init(command: [String], hostsFlag: String?, deployfile: String?, timeout: String?, ssh: SSHFlags) throws(CommandFailure) {
        guard !command.isEmpty, !command.allSatisfy({ $0.isEmpty }) else {
            throw .badInput("no command: put it after '--', e.g. swarmdeploy exec --on hosts.txt -- uptime")
        }
        var settings = try BaseSettings.load(deployfile: deployfile)
        if let hostsFlag { settings.hostsFile = hostsFlag }
        try ssh.apply(to: &settings)
        guard let hostsFile = settings.hostsFile else {
            throw .badInput("no hosts file: add --on HOSTS, or set 'hosts' in the Deployfile")
        }
        let limit = try timeout.map { text throws(CommandFailure) in
            try parseFlag("--timeout", text) { try SettingParsers.duration($0, allowZero: false) }
        } ?? Self.defaultTimeout
        guard limit > .zero else { throw .badInput("--timeout \(timeout ?? ""): give the command some time, e.g. 60s") }
        do {
            hosts = try HostsFile.load(path: hostsFile, defaultPort: settings.port)
        } catch {
            throw .badInput(error)
        }
        self.settings = settings
        self.hostsFile = hostsFile
        // One word is a shell command line already (`-- 'df -h | tail -1'`), as with ssh.
        let line = command.count == 1 ? command[0] : ShellQuoting.commandLine(command)
        // With --sudo the whole line runs as root, pipes and all, and never prompts.
        commandLine = settings.sudo ? ShellQuoting.commandLine(["sudo", "-n", "--", "sh", "-c", line]) : line
        self.timeout = limit
    }
}

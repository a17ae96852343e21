import Foundation
import SSH

/// How `exec` went on every host: the summary people read and the JSON
/// report scripts read.
struct ExecReport: Encodable {
    struct Host: Encodable {
        let name: String
        /// Nil when the command never ran (connect, host key or auth failed).
        let exitStatus: Int32?
        let exitSignal: String?
        let seconds: Double
        /// What went wrong, when something did; nil for a clean exit 0.
        let error: String?
        let stdout: String
        let stderr: String

        var ok: Bool { error == nil }

        init(name: String, result: Result<SSHCommandResult, SSHError>, seconds: Double) {
            self.name = name
            self.seconds = seconds
            switch result {
            case .success(let command):
                exitStatus = command.exitStatus
                exitSignal = command.exitSignal
                stdout = command.stdoutText
                stderr = command.stderrText
                if let signal = command.exitSignal {
                    error = "killed by signal \(signal)"
                } else if let status = command.exitStatus, status != 0 {
                    error = "exit status \(status)"
                } else {
                    error = nil
                }
            case .failure(let failure):
                exitStatus = nil
                exitSignal = nil
                stdout = ""
                stderr = ""
                error = failure.hostlessDescription
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, status
            case exitStatus = "exit_status"
            case exitSignal = "exit_signal"
            case seconds, error, stdout, stderr
        }

        // Absent values are written as null, so every host has the same keys.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(ok ? "ok" : "failed", forKey: .status)
            try container.encode(exitStatus, forKey: .exitStatus)
            try container.encode(exitSignal, forKey: .exitSignal)
            try container.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
            try container.encode(error, forKey: .error)
            try container.encode(stdout, forKey: .stdout)
            try container.encode(stderr, forKey: .stderr)
        }
    }

    let command: String
    let hosts: [Host]

    var failedCount: Int { hosts.count(where: { !$0.ok }) }

    enum CodingKeys: String, CodingKey {
        case command, hosts, ok, failed
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(command, forKey: .command)
        try container.encode(hosts, forKey: .hosts)
        try container.encode(hosts.count - failedCount, forKey: .ok)
        try container.encode(failedCount, forKey: .failed)
    }

    func jsonText() throws(CommandFailure) -> String {
        try JSONOutput.text(self)
    }

    /// "3 hosts: 2 ok, 1 failed" and one line per failed host with its reason.
    func summaryText() -> String {
        let failed = hosts.filter { !$0.ok }
        var text = "\(hosts.count) host\(hosts.count == 1 ? "" : "s"): \(hosts.count - failed.count) ok, \(failed.count) failed\n"
        for host in failed {
            text += "  failed: \(host.name): \(host.error ?? "")\n"
        }
        return text
    }
}

extension SSHError {
    /// The description without the leading "host:port: ", for output that already names the host.
    var hostlessDescription: String {
        let text = description
        let prefix = "\(host): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}

extension ExecReport {
    /// One test case per host: passed when the command exited 0; its last output lines kept.
    func junit(started: Date, seconds: Double) -> JUnitReport {
        JUnitReport(
            command: "swarmdeploy exec", suite: "exec \(command)", started: started, seconds: seconds,
            cases: hosts.map { host in
                let output = (host.stdout + host.stderr).split(separator: "\n").suffix(40).map(String.init)
                let outcome = host.error.map { error in
                    JUnitReport.Outcome.failed(type: host.exitStatus == nil && host.exitSignal == nil ? "connect" : "command", message: error)
                } ?? .passed
                return JUnitReport.Case(name: host.name, seconds: host.seconds, outcome: outcome, output: output)
            })
    }
}

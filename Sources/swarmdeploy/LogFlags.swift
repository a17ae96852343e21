import ArgumentParser
import Logging
import Swarm

/// `--verbose` and `--log-level`: diagnostics on standard error, off by default so the plain
/// and JSON outputs stay as they are.
struct LogFlags: ParsableArguments {
    @Flag(help: "Log what the push does, and what each host's peer logs, to standard error (same as --log-level debug).")
    var verbose = false

    @Option(help: ArgumentHelp(
        "Log at this level and above: trace, debug, info, notice, warning, error or critical (default: no log).",
        valueName: "level"
    ))
    var logLevel: String?

    /// The logger the flags ask for; `.disabled` without either.
    func logger() throws(CommandFailure) -> Logger {
        let level: Logger.Level
        if let logLevel {
            guard let parsed = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw .badInput("--log-level \(logLevel): use trace, debug, info, notice, warning, error or critical")
            }
            level = parsed
        } else if verbose {
            level = .debug
        } else {
            return .disabled
        }
        return Logger(label: "swarmdeploy") { _ in LineLogHandler(logLevel: level) }
    }
}

/// One plain line per record on standard error: `[level] host: message key=value`, the host
/// first when the record names one (every peer's lines do).
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let host = fields.removeValue(forKey: "host").map { "\($0): " } ?? ""
        let rest = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        StandardError.write("[\(event.level.rawValue)] \(host)\(event.message)\(rest)\n")
    }
}

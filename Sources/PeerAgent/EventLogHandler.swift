import DeployProtocol
import Logging

/// Sends log records to the controller as `log` events on the peer's standard output, the
/// one channel the controller reads; it shows them under the host's name.
struct EventLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let emit: @Sendable (PeerEvent) -> Void

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = ([event.message.description] + fields).joined(separator: " ")
        emit(.log(level: event.level.rawValue, message: text))
    }
}

extension Logger {
    /// The peer's logger for a job: disabled unless the job names a level.
    static func peer(level: String?, emit: @escaping @Sendable (PeerEvent) -> Void) -> Logger {
        guard let level, let parsed = Logger.Level(rawValue: level) else { return .disabled }
        return Logger(label: "swarmdeploy-peer") { _ in EventLogHandler(logLevel: parsed, emit: emit) }
    }
}

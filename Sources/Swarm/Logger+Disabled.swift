import Logging

extension Logger {
    /// A logger that drops everything: the default wherever a caller passes none, so a
    /// library never writes on its own (a peer's standard output carries its events).
    public static let disabled = Logger(label: "swarmdeploy.disabled") { _ in SwiftLogNoOpLogHandler() }

    /// Whether anything logged here can show up.
    public var isEnabled: Bool { !(handler is SwiftLogNoOpLogHandler) }
}

/// The one error type of the Push module: a push that could not be planned or could not run
/// at all (as opposed to some hosts failing, which the report tells).
///
/// Callers branch on `kind`; people read `description`: what happened, then what to do.
public struct PushError: Error, CustomStringConvertible, Sendable {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The request is incomplete or contradicts itself (no destination, a hosts file with
        /// a bad line, a wildcard listen address): nothing was contacted.
        public static let invalidRequest = Kind("invalid request")
        /// The address hosts reach the controller at could not be found.
        public static let addressDetection = Kind("address detection")
        /// The controller itself failed: packing, its seeder or tracker, an internal error.
        public static let controller = Kind("controller")
    }

    public let kind: Kind
    public let message: String
    public let remedy: String?

    public init(_ kind: Kind, _ message: String, remedy: String? = nil) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
    }

    /// Whether the user's input is at fault (exit code 64), rather than the controller.
    public var isBadInput: Bool { kind != .controller }

    public var description: String {
        remedy.map { "\(message); \($0)" } ?? message
    }
}

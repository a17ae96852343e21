/// The one error type of the Deploy module.
///
/// Callers branch on `kind`; people read `description`, which reads like a
/// compiler diagnostic: `where: what happened; what to do`.
public struct DeployError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a comparable value. Opaque so new kinds can be added
    /// without breaking exhaustive switches in callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A file could not be read (missing, a directory, unreadable, not UTF-8).
        public static let unreadableFile = Kind("unreadable file")
        /// A host line whose address part is malformed.
        public static let malformedHost = Kind("malformed host")
        /// A `key=value` label that is malformed or repeated.
        public static let malformedLabel = Kind("malformed label")
        /// The same host and port appear twice in a hosts file.
        public static let duplicateHost = Kind("duplicate host")
        /// A hosts file without a single host.
        public static let noHosts = Kind("no hosts")
        /// The Deployfile is not valid YAML.
        public static let invalidYAML = Kind("invalid YAML")
        /// A Deployfile key that does not exist.
        public static let unknownKey = Kind("unknown key")
        /// A Deployfile value of the wrong YAML type.
        public static let wrongType = Kind("wrong type")
        /// A value of the right type but outside what is allowed.
        public static let invalidValue = Kind("invalid value")
    }

    public let kind: Kind
    /// File the problem is in, when there is one.
    public let path: String?
    /// 1-based line, when known.
    public let line: Int?
    /// 1-based column, when known.
    public let column: Int?
    /// What happened.
    public let message: String
    /// What to do about it.
    public let remedy: String?

    public init(
        _ kind: Kind,
        _ message: String,
        remedy: String? = nil,
        path: String? = nil,
        line: Int? = nil,
        column: Int? = nil
    ) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
        self.path = path
        self.line = line
        self.column = column
    }

    public var description: String {
        var location = ""
        if let path {
            location = path
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        } else if let line {
            location = "line \(line): "
        }
        guard let remedy else { return location + message }
        return location + message + "; " + remedy
    }

    /// The same error placed in a file; keeps a location that is already set.
    func located(path: String, line: Int?, column: Int? = nil) -> DeployError {
        DeployError(
            kind,
            message,
            remedy: remedy,
            path: self.path ?? path,
            line: self.line ?? line,
            column: self.column ?? column
        )
    }

    /// The same error with its message prefixed, e.g. by the setting it concerns.
    func prefixed(_ prefix: String) -> DeployError {
        DeployError(kind, prefix + message, remedy: remedy, path: path, line: line, column: column)
    }
}

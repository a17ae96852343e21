/// How a push lays out a destination on the host.
public enum DestinationLayout: String, Sendable, CaseIterable, Codable {
    /// The new tree replaces `DEST` itself; the replaced one is kept as `DEST.prev`.
    case sibling
    /// Every push installs into `DEST/releases/<id>/` and `DEST/current` links to the one in
    /// use (Capistrano's layout).
    case releases
}

/// A release's name: sortable and traceable, `20261206T133501Z-1a2b3c4d` (UTC time of the
/// push, then the first 8 hex digits of the archive's SHA-256). It names the directory in the
/// release layout, so it is checked before it reaches a path.
public enum ReleaseID {
    /// The id for a push started at `date` of an archive whose SHA-256 starts with `digest`.
    public static func make(utc date: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int), digest: [UInt8]) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let hex = digest.prefix(4).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return "\(date.year)\(two(date.month))\(two(date.day))T\(two(date.hour))\(two(date.minute))\(two(date.second))Z-\(hex)"
    }

    /// Nil when `id` may name a release directory; otherwise why not.
    public static func problem(with id: String) -> String? {
        guard !id.isEmpty, id.utf8.count <= 100 else { return "a release id has 1 to 100 characters" }
        guard id.first != ".", id.first != "-" else { return "a release id cannot start with '.' or '-'" }
        let allowed = id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
        return allowed ? nil : "a release id holds only ASCII letters, digits, '-', '_' and '.'"
    }

    /// A release field of a peer's line: empty is none, and so is an id that could not name a
    /// release (it is dropped, not trusted).
    static func field(_ field: Substring?) -> String? {
        guard let field, !field.isEmpty else { return nil }
        let id = String(field)
        return problem(with: id) == nil ? id : nil
    }
}

/// What a host runs around the switch, each through its login shell (`$SHELL -c`), with the
/// release in its environment (see `HookEnvironment`).
public struct HookCommands: Sendable, Equatable {
    /// Runs with the new tree staged and the old one still in use; failing keeps the old one.
    public var beforeActivate: String?
    /// Runs once the new tree is in use (and again after a rollback, with the old one).
    public var afterActivate: String?
    /// Runs after `afterActivate`; failing every attempt rolls the host back.
    public var healthCheck: String?
    /// The longest a before- or after-hook may run.
    public var hookTimeoutMilliseconds: Int64
    /// The longest one health-check attempt may run.
    public var healthTimeoutMilliseconds: Int64
    /// Attempts after the first failed one.
    public var healthRetries: Int
    /// Wait between health-check attempts.
    public var healthIntervalMilliseconds: Int64

    public init(
        beforeActivate: String? = nil, afterActivate: String? = nil, healthCheck: String? = nil,
        hookTimeoutMilliseconds: Int64 = 300_000, healthTimeoutMilliseconds: Int64 = 30_000,
        healthRetries: Int = 2, healthIntervalMilliseconds: Int64 = 2_000
    ) {
        self.beforeActivate = beforeActivate
        self.afterActivate = afterActivate
        self.healthCheck = healthCheck
        self.hookTimeoutMilliseconds = hookTimeoutMilliseconds
        self.healthTimeoutMilliseconds = healthTimeoutMilliseconds
        self.healthRetries = healthRetries
        self.healthIntervalMilliseconds = healthIntervalMilliseconds
    }

    public var isEmpty: Bool { beforeActivate == nil && afterActivate == nil && healthCheck == nil }
}

/// The hook points, as events and the report name them.
public enum HookName: String, Sendable, CaseIterable {
    case beforeActivate = "before-activate"
    case afterActivate = "after-activate"
    case healthCheck = "health-check"
}

/// The environment every hook gets, besides the peer's own.
public enum HookEnvironment {
    /// The release being switched to (its id; empty in the sibling layout when unknown).
    public static let release = "SWARMDEPLOY_RELEASE"
    /// Where the tree being switched to is: staged beside the destination before the switch,
    /// in use after it.
    public static let releasePath = "SWARMDEPLOY_RELEASE_PATH"
    /// The release in use before the switch, and where it is (empty when there was none).
    public static let previousRelease = "SWARMDEPLOY_PREVIOUS_RELEASE"
    public static let previousPath = "SWARMDEPLOY_PREVIOUS_PATH"
    /// The destination as the push names it (`DEST`; in the release layout `DEST/current` is the link).
    public static let destination = "SWARMDEPLOY_DESTINATION"
    /// Which hook runs: before-activate, after-activate, health-check.
    public static let hook = "SWARMDEPLOY_HOOK"
}

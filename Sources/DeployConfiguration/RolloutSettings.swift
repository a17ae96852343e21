import DeployProtocol

/// A number of hosts, or a share of them: `--batch 4`, `--batch 25%`, `--max-failures 10%`.
public enum HostCount: Sendable, Equatable, Codable, CustomStringConvertible {
    case hosts(Int)
    /// 0 to 100.
    case percent(Double)

    /// `4` or `25%`.
    public static func parse(_ text: String) throws -> HostCount {
        let trimmed = text.trimmingSpaces()
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast().trimmingSpaces()), value.isFinite, (0...100).contains(value) else {
                throw DeployError(.invalidValue, "'\(text)' is not a percentage from 0% to 100%", remedy: "write a number of hosts (4) or a share (25%)")
            }
            return .percent(value)
        }
        guard let count = Int(trimmed), count >= 0 else {
            throw DeployError(.invalidValue, "'\(text)' is not a number of hosts", remedy: "write a number of hosts (4) or a share (25%)")
        }
        return .hosts(count)
    }

    /// As many hosts of `total` as this says: a share rounded down (`--max-failures 10%` of 15
    /// hosts allows 1) or up (`roundingUp`: `--batch 10%` of 15 hosts is batches of 2).
    public func resolved(of total: Int, roundingUp: Bool = false) -> Int {
        switch self {
        case .hosts(let count): return count
        case .percent(let share):
            let exact = share * Double(total) / 100
            // A share that is a whole number of hosts up to rounding error stays that number.
            let nearest = exact.rounded()
            if abs(exact - nearest) < 1e-9 { return Int(nearest) }
            return Int(roundingUp ? exact.rounded(.up) : exact.rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .hosts(let count): "\(count)"
        case .percent(let share): share == share.rounded() ? "\(Int(share))%" : "\(share)%"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let count = try? container.decode(Int.self) {
            self = .hosts(count)
        } else {
            self = try HostCount.parse(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .hosts(let count): try container.encode(count)
        case .percent: try container.encode(description)
        }
    }
}

/// How a push puts the new tree into use: the layout on the hosts, the hooks, and when each
/// host switches.
public struct RolloutSettings: Sendable, Equatable, Codable {
    /// When hosts switch to the new tree.
    public enum Activation: String, Sendable, Codable, CaseIterable {
        /// Every host of a wave (the whole fleet without `--batch`) switches once the last one
        /// has staged it: the fleet runs mixed versions for about a second.
        case together
        /// Each host switches as soon as it has the tree.
        case asap
    }

    public var layout: DestinationLayout = .sibling
    /// Releases kept on each host in the release layout.
    public var keepReleases = 5
    /// asap by default: a slow or frozen host then never holds back another host's switch.
    public var activation: Activation = .asap
    /// Hosts (the first in the hosts file) that switch and pass their checks before any other.
    public var canary = 0
    /// Hosts per wave after the canaries; nil: one wave.
    public var batch: HostCount?
    public var beforeActivate: String?
    public var afterActivate: String?
    public var healthCheck: String?
    public var hookTimeout: Duration = .seconds(300)
    public var healthTimeout: Duration = .seconds(30)
    public var healthRetries = 2
    public var healthInterval: Duration = .seconds(2)

    public init() {}

    enum CodingKeys: String, CodingKey {
        case layout, activation, canary, batch
        case keepReleases = "keep_releases"
        case beforeActivate = "before_activate"
        case afterActivate = "after_activate"
        case healthCheck = "health_check"
        case hookTimeout = "hook_timeout_seconds"
        case healthTimeout = "health_timeout_seconds"
        case healthRetries = "health_retries"
        case healthInterval = "health_interval_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func seconds(_ key: CodingKeys) throws -> Duration {
            let seconds = try container.decode(Double.self, forKey: key)
            return try SettingParsers.duration(seconds: seconds, allowZero: false, written: "\(seconds)")
        }
        layout = try container.decode(DestinationLayout.self, forKey: .layout)
        keepReleases = try container.decode(Int.self, forKey: .keepReleases)
        activation = try container.decode(Activation.self, forKey: .activation)
        canary = try container.decode(Int.self, forKey: .canary)
        batch = try container.decodeIfPresent(HostCount.self, forKey: .batch)
        beforeActivate = try container.decodeIfPresent(String.self, forKey: .beforeActivate)
        afterActivate = try container.decodeIfPresent(String.self, forKey: .afterActivate)
        healthCheck = try container.decodeIfPresent(String.self, forKey: .healthCheck)
        hookTimeout = try seconds(.hookTimeout)
        healthTimeout = try seconds(.healthTimeout)
        healthRetries = try container.decode(Int.self, forKey: .healthRetries)
        healthInterval = try seconds(.healthInterval)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layout, forKey: .layout)
        try container.encode(keepReleases, forKey: .keepReleases)
        try container.encode(activation, forKey: .activation)
        try container.encode(canary, forKey: .canary)
        try container.encodeIfPresent(batch, forKey: .batch)
        try container.encodeIfPresent(beforeActivate, forKey: .beforeActivate)
        try container.encodeIfPresent(afterActivate, forKey: .afterActivate)
        try container.encodeIfPresent(healthCheck, forKey: .healthCheck)
        try container.encode(hookTimeout.inSeconds, forKey: .hookTimeout)
        try container.encode(healthTimeout.inSeconds, forKey: .healthTimeout)
        try container.encode(healthRetries, forKey: .healthRetries)
        try container.encode(healthInterval.inSeconds, forKey: .healthInterval)
    }
}

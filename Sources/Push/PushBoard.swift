/// Every host's state and what the live view and the report derive from them. Pure.
public struct PushBoard: Sendable, Equatable {
    public private(set) var hosts: [HostState]

    public init(names: [String]) {
        hosts = names.map(HostState.init(name:))
    }

    @discardableResult
    public mutating func apply(_ event: HostEvent, toHost index: Int, at time: Duration) -> String? {
        hosts[index].apply(event, at: time)
    }

    public var succeeded: Int { hosts.count { $0.outcome == .succeeded } }
    public var failed: Int { hosts.count { $0.outcome == .failed } }
    public var notActivated: Int { hosts.count { $0.outcome == .notActivated } }
    /// Installed, whether or not their peer has exited yet.
    public var installed: Int { hosts.count { $0.installedAt != nil } }
    public var isEverySettled: Bool { hosts.allSatisfy(\.isSettled) }
    public var isEveryEnded: Bool { hosts.allSatisfy { $0.outcome != .running } }

    /// Share of all hosts' payload verified, 0...1; failed hosts are left out.
    public var fraction: Double {
        let counted = hosts.filter { $0.outcome == .running || $0.outcome == .succeeded }
        guard !counted.isEmpty else { return 1 }
        return counted.reduce(0) { $0 + $1.fraction } / Double(counted.count)
    }

    /// Payload bytes received by all hosts so far.
    public var bytesDownloaded: Int64 {
        hosts.reduce(0) { $0 + ($1.progress?.bytesDownloaded ?? 0) }
    }

    /// Hosts still working, least done first, for the live view's "slowest" line.
    public func slowest(_ count: Int) -> [HostState] {
        Array(hosts.filter { !$0.isSettled }.sorted { ($0.fraction, $0.name) < ($1.fraction, $1.name) }.prefix(count))
    }
}

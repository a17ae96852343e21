/// When each host of a push switches to the new tree, as a plain value: every host downloads
/// at once (the swarm needs them all), then stages the tree and waits for its word. Hosts are
/// taken in waves, in hosts-file order: the canaries first, then batches of `batch` hosts (one
/// wave for the rest without `--batch`). Within the current wave a host is told to switch as
/// soon as it has staged (`asap`), or once every host of the wave has staged or failed
/// (`together`). The next wave starts when every host of this one has switched and passed its
/// checks, or failed; a failed canary, or more failures than allowed, stops the rollout: every
/// host not yet told to switch is told to abort and keeps its destination as it was.
///
/// The runner feeds it what hosts report and carries out what it returns; `ActivationGateTests`
/// checks the decisions without a network.
public struct ActivationGate: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Tell these hosts to switch now.
        case activate([Int])
        /// Tell these hosts not to switch (they remove what they staged), and why.
        case abort([Int], reason: String)
    }

    public let waves: [[Int]]
    public let together: Bool
    /// How many waves at the start are canaries (0 or 1).
    public let canaryWaves: Int
    public let maxFailures: Int
    /// Host names, for the reason a rollout stopped.
    private let names: [String]
    public private(set) var wave = 0
    private var staged: Set<Int> = []
    private var told: Set<Int> = []
    private var installed: Set<Int> = []
    private var failed: Set<Int> = []
    /// Why the rollout stopped; nil while it goes on.
    public private(set) var stopReason: String?

    /// `names`: the hosts in file order; `batch`: hosts per wave after the canaries (nil: all
    /// of them in one).
    public init(names: [String], together: Bool, canary: Int, batch: Int?, maxFailures: Int) {
        let hostCount = names.count
        self.names = names
        let canaries = Array(0..<min(canary, hostCount))
        let rest = Array(canaries.count..<hostCount)
        var waves = canaries.isEmpty ? [] : [canaries]
        if let batch, batch > 0 {
            waves += stride(from: 0, to: rest.count, by: batch).map { Array(rest[$0..<min($0 + batch, rest.count)]) }
        } else if !rest.isEmpty {
            waves.append(rest)
        }
        self.waves = waves
        self.together = together
        canaryWaves = canaries.isEmpty ? 0 : 1
        self.maxFailures = maxFailures
    }

    /// Whether hosts wait for their word at all: not when each switches as soon as it can.
    public static func isNeeded(together: Bool, canary: Int, batch: Int?) -> Bool {
        together || canary > 0 || batch != nil
    }

    /// Host `index` has staged the tree and waits.
    public mutating func staged(_ index: Int) -> [Action] {
        staged.insert(index)
        return advance()
    }

    /// Host `index` switched and passed its hooks and health check.
    public mutating func installed(_ index: Int) -> [Action] {
        installed.insert(index)
        return advance()
    }

    /// Host `index` failed, at whatever stage (or was aborted).
    public mutating func failed(_ index: Int) -> [Action] {
        guard !failed.contains(index) else { return [] }
        failed.insert(index)
        return advance()
    }

    /// Hosts told to switch so far.
    public var activated: Set<Int> { told }

    private mutating func advance() -> [Action] {
        var actions: [Action] = []
        while stopReason == nil, wave < waves.count {
            let hosts = waves[wave]
            let ready = hosts.filter { staged.contains($0) && !told.contains($0) && !failed.contains($0) }
            let everyoneStaged = hosts.allSatisfy { staged.contains($0) || failed.contains($0) }
            if !ready.isEmpty, !together || everyoneStaged {
                told.formUnion(ready)
                actions.append(.activate(ready))
            }
            guard hosts.allSatisfy({ installed.contains($0) || failed.contains($0) }) else { break }
            let failedHere = hosts.filter(failed.contains)
            if wave < canaryWaves, !failedHere.isEmpty {
                stop(because: "canary \(failedHere.count == 1 ? "host" : "hosts") \(failedHere.map { names[$0] }.joined(separator: ", ")) failed", &actions)
            } else if failed.count > maxFailures {
                stop(because: "\(failed.count) \(failed.count == 1 ? "host" : "hosts") failed, more than --max-failures \(maxFailures) allows", &actions)
            } else {
                wave += 1
            }
        }
        return actions
    }

    private mutating func stop(because reason: String, _ actions: inout [Action]) {
        stopReason = reason
        let waiting = waves.joined().filter { !told.contains($0) && !failed.contains($0) && !installed.contains($0) }
        failed.formUnion(waiting)
        if !waiting.isEmpty { actions.append(.abort(waiting, reason: reason)) }
    }
}

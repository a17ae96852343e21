import Swarm

/// Calls `report` with what `read` returns every `interval` while it changes (a nil read is
/// skipped), until the calling task is cancelled. Cancel it and wait for it before shutting
/// down what `read` reads: a read after the shutdown would reach an event loop that is gone.
public func watchChanges<Value: Equatable>(
    every interval: Duration, read: () async -> Value?, _ report: (Value) -> Void
) async {
    var last: Value?
    // Ends when cancelled (the sleep throws), never reading after that.
    while (try? await Task.sleep(for: interval)) != nil {
        guard let value = await read(), value != last else { continue }
        last = value
        report(value)
    }
}

/// `watchChanges` of a swarm node's progress.
public func watchProgress(of node: SwarmNode, every interval: Duration, _ report: (SwarmProgress) -> Void) async {
    await watchChanges(every: interval, read: { try? await node.progress }, report)
}

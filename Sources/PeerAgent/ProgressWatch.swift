import Swarm

/// Calls `report` with the node's progress every `interval` while it changes, until the
/// calling task is cancelled. Cancel it and wait for it before shutting the node down: a
/// read after the shutdown would reach an event loop that is gone.
public func watchProgress(of node: SwarmNode, every interval: Duration, _ report: (SwarmProgress) -> Void) async {
    var last: SwarmProgress?
    while (try? await Task.sleep(for: interval)) != nil {
        guard let progress = try? await node.progress, progress != last else { continue }
        last = progress
        report(progress)
    }
}

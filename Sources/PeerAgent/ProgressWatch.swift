import Swarm

/// Calls `report` with the node's progress every `interval` while it changes, until the
/// calling task is cancelled.
public func watchProgress(of node: SwarmNode, every interval: Duration, _ report: (SwarmProgress) -> Void) async {
    var last: SwarmProgress?
    while !Task.isCancelled {
        try? await Task.sleep(for: interval)
        guard let progress = try? await node.progress, progress != last else { continue }
        last = progress
        report(progress)
    }
}

import DeployProtocol
import Installer

/// The peer's `status` and `rollback`: what `swarmdeploy status` and `swarmdeploy rollback` run
/// on each host. Both find the layout on the host itself.
public enum ReleaseCommands {
    /// What the host holds at `destination`.
    public static func status(destination: String) throws(InstallError) -> DestinationStatus {
        let paths = try InstallPaths(destination: destination, id: "status")
        let tree = ReleaseTree(root: paths.destination)
        if tree.exists {
            let status = try tree.status()
            return DestinationStatus(layout: .releases, current: status.current, previous: status.previous, releases: status.all)
        }
        guard FileTree.exists(paths.destination) else {
            return DestinationStatus(layout: nil, current: nil, previous: nil)
        }
        let record = SiblingRecord.read(paths)
        return DestinationStatus(layout: .sibling, current: record.current, previous: record.previous, unrecorded: record.current == nil)
    }

    /// Switches `destination` back to the previous release (or `release`), which is already on
    /// the host (a host already on `release` is left as it is), running the before- and after-hooks around the switch as a push does (no
    /// health check: there is nothing older to fall back to). Reports through `emit`
    /// (`switched`, hook lines). In the sibling layout the destination and `DEST.prev` change
    /// places, so a second rollback goes forward again.
    public static func rollback(
        destination: String, to release: String?, hooks: HookCommands, emit: @escaping @Sendable (PeerEvent) -> Void
    ) throws -> DestinationStatus {
        let paths = try InstallPaths(destination: destination, id: String(UInt64.random(in: 0...UInt64.max), radix: 16))
        let lock = try DestinationLock(paths)
        defer { withExtendedLifetime(lock) {} }
        let before = try status(destination: destination)
        let target: String?
        let targetPath: String
        switch before.layout {
        case nil:
            throw PeerFailure("\(paths.destination) does not exist on this host: nothing to roll back")
        case .releases:
            let tree = ReleaseTree(root: paths.destination)
            guard let chosen = release ?? before.previous else {
                throw PeerFailure("\(paths.destination) has no release before \(before.current ?? "the current one") to go back to; name one with --release (releases here: \(before.releases.joined(separator: ", ")))")
            }
            guard before.releases.contains(chosen) else {
                throw PeerFailure("release \(chosen) is not on this host (releases here: \(before.releases.joined(separator: ", ")))")
            }
            target = chosen
            targetPath = tree.path(of: chosen)
        case .sibling:
            guard FileTree.exists(paths.previous) else {
                throw PeerFailure("there is no previous tree to go back to (\(paths.previous) is missing; pushes with --no-keep-previous keep none)")
            }
            if let release, release != before.previous, release != before.current {
                throw PeerFailure("\(paths.previous) holds release \(before.previous ?? "(unrecorded)"), not \(release); the sibling layout keeps only the previous tree")
            }
            target = release ?? before.previous
            targetPath = paths.previous
        }

        // Already there (a host the health check sent back, say): nothing to switch.
        if target != nil, target == before.current { return before }
        let caller = HookCaller(destination: paths.destination, emit: emit)
        let currentPath = before.layout == .releases ? before.current.map(ReleaseTree(root: paths.destination).path(of:)) : paths.destination
        var releases = HookCaller.Releases(release: target, path: targetPath, previous: before.current, previousPath: currentPath)
        if let command = hooks.beforeActivate {
            let ending = caller.run(.beforeActivate, command, releases, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            guard ending.succeeded else {
                throw PeerFailure("the before-activate hook \(ending.description); \(paths.destination) is unchanged")
            }
        }
        switch before.layout {
        case .releases: try ReleaseTree(root: paths.destination).activate(target)
        default:
            try Installer.exchangeWithPrevious(paths)
            // Switched: a record that cannot be written only leaves `status` unsure.
            try? SiblingRecord(current: before.previous, previous: before.current).write(paths)
        }
        emit(.switched(release: target, previous: before.current))
        if let command = hooks.afterActivate {
            if before.layout == .sibling {
                releases.path = paths.destination
                releases.previousPath = paths.previous
            }
            let ending = caller.run(.afterActivate, command, releases, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            guard ending.succeeded else {
                throw PeerFailure("switched to \(target ?? "the previous tree"), then the after-activate hook \(ending.description)")
            }
        }
        return try status(destination: destination)
    }
}

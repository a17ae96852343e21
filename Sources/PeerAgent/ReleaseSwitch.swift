import DeployProtocol
import Glibc
import Installer

/// Puts a verified, extracted tree into use on this host under the job's layout, with the
/// hooks around the switch and the health check after it, and takes the host back to where it
/// was when one of them fails:
///
/// 1. the new tree moves to its release path (`DEST/releases/<id>` in the release layout; it
///    stays staged beside `DEST` in the sibling one) and the before-hook runs; failing, the new
///    tree is removed and nothing else changed;
/// 2. the switch (`current` relinked, or `DEST` exchanged with the new tree);
/// 3. the after-hook, then the health check with its retries; failing, the switch is undone
///    (the failed release removed) and the after-hook runs again for the tree back in use;
/// 4. on success, old releases beyond the number kept are pruned.
struct ReleaseSwitch: Sendable {
    let destination: InstallPaths
    let layout: DestinationLayout
    let release: String?
    let hooks: HookCommands
    let keepPrevious: Bool
    let keepReleases: Int
    let emit: @Sendable (PeerEvent) -> Void

    /// A failure at one of the switch's stages; the host is as it was before the push.
    struct Failure: Error, CustomStringConvertible {
        let stage: PeerStage
        let description: String
    }

    init(job: PeerJob, destination: InstallPaths, emit: @escaping @Sendable (PeerEvent) -> Void) {
        self.destination = destination
        layout = job.layout
        release = job.releaseID
        hooks = job.hooks
        keepPrevious = job.keepPrevious
        keepReleases = job.keepReleases
        self.emit = emit
    }

    var tree: ReleaseTree { ReleaseTree(root: destination.destination) }
    var caller: HookCaller { HookCaller(destination: destination.destination, emit: emit) }

    /// Checks before the download that the destination suits the layout, and where the
    /// layout stages its files.
    func stagingPaths(id: String) throws(InstallError) -> InstallPaths {
        switch layout {
        case .sibling:
            guard !tree.exists else {
                throw InstallError("""
                    \(destination.destination) holds the release layout (releases/ and current); push with \
                    --layout releases, or to another destination
                    """)
            }
            return try InstallPaths(destination: destination.destination, id: id)
        case .releases:
            try tree.checkUsable()
            try FileTree.makeDirectories(tree.releases)
            try tree.removeLeftovers()
            return try tree.staging(release: release ?? "", id: id)
        }
    }

    /// Switches the staged tree (`staged.stagingTree`) into use; throws `Failure` with the host
    /// back as it was.
    func run(staged: InstallPaths) throws(Failure) {
        let before = inUse()
        let newPath: String
        switch layout {
        case .sibling:
            newPath = staged.stagingTree
        case .releases:
            newPath = tree.path(of: release ?? "")
            do { try tree.place(staged.stagingTree, as: release ?? "") } catch { throw Failure(stage: .install, description: "\(error)") }
        }
        let releases = HookCaller.Releases(release: release, path: newPath, previous: before.release, previousPath: before.path)
        if let command = hooks.beforeActivate {
            let ending = caller.run(.beforeActivate, command, releases, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            guard ending.succeeded else {
                if layout == .releases, before.release != release { try? FileTree.remove(newPath) }
                throw Failure(stage: .beforeActivate, description: "the before-activate hook \(ending.description); \(destination.destination) is unchanged")
            }
        }

        let undoable = hooks.afterActivate != nil || hooks.healthCheck != nil
        do throws(InstallError) {
            try switchTo(staged, keepingPrevious: keepPrevious || undoable, before: before)
        } catch {
            if layout == .releases, before.release != release { try? FileTree.remove(newPath) }
            throw Failure(stage: .install, description: "\(error)")
        }
        emit(.switched(release: release, previous: before.release))

        var active = releases
        active.path = inUsePath
        if before.path == destination.destination { active.previousPath = destination.previous }
        if let command = hooks.afterActivate {
            let ending = caller.run(.afterActivate, command, active, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            guard ending.succeeded else {
                throw rollBack(to: before, stage: .afterActivate, because: "the after-activate hook \(ending.description)")
            }
        }
        if let command = hooks.healthCheck {
            if let failure = checkHealth(command, active) {
                throw rollBack(to: before, stage: .healthCheck, because: failure)
            }
        }
        finish()
    }

    /// The release in use and where it is (nils when the destination holds none).
    struct InUse {
        var release: String?
        var path: String?
    }

    private func inUse() -> InUse {
        switch layout {
        case .sibling:
            let record = SiblingRecord.read(destination)
            return InUse(release: record.current, path: FileTree.exists(destination.destination) ? destination.destination : nil)
        case .releases:
            let current = tree.currentRelease()
            return InUse(release: current, path: current.map(tree.path(of:)))
        }
    }

    /// Where the tree in use is, as hooks see it after the switch.
    private var inUsePath: String {
        layout == .releases ? tree.path(of: release ?? "") : destination.destination
    }

    private func switchTo(_ staged: InstallPaths, keepingPrevious: Bool, before: InUse) throws(InstallError) {
        switch layout {
        case .sibling:
            let outcome = try Installer.switchIntoPlace(staged, keepPrevious: keepingPrevious)
            let previous = outcome == .replacedKeepingPrevious ? before.release : nil
            try SiblingRecord(current: release, previous: previous).write(destination)
        case .releases:
            try tree.activate(release)
        }
    }

    /// Undoes the switch after a failed after-hook or health check, then runs the after-hook
    /// for the tree back in use (its services restart on it). Returns the failure to throw.
    private func rollBack(to before: InUse, stage: PeerStage, because reason: String) -> Failure {
        do throws(InstallError) {
            switch layout {
            case .sibling:
                if before.path != nil {
                    try Installer.exchangeWithPrevious(destination)
                    try FileTree.remove(destination.previous)
                } else {
                    try FileTree.remove(destination.destination)
                }
                try SiblingRecord(current: before.release, previous: nil).write(destination)
            case .releases:
                try tree.activate(before.release)
                if before.release != release { try FileTree.remove(tree.path(of: release ?? "")) }
            }
        } catch {
            return Failure(stage: stage, description: "\(reason), and rolling back failed: \(error); check \(destination.destination) by hand")
        }
        emit(.rolledBack(to: before.release))
        if let command = hooks.afterActivate, let path = before.path {
            let back = HookCaller.Releases(release: before.release, path: path, previous: release, previousPath: nil)
            let ending = caller.run(.afterActivate, command, back, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            if !ending.succeeded {
                return Failure(stage: stage, description: "\(reason); rolled back to \(before.release ?? "the tree before"), where the after-activate hook then \(ending.description)")
            }
        }
        let back = before.path == nil ? "removed the new tree (there was none before)" : "rolled back to \(before.release ?? "the tree before")"
        return Failure(stage: stage, description: "\(reason); \(back)")
    }

    /// Runs the health check until it passes or its retries are spent; nil when it passed.
    private func checkHealth(_ command: String, _ releases: HookCaller.Releases) -> String? {
        var last = HookRunner.Ending.exited(0)
        for attempt in 0...hooks.healthRetries {
            if attempt > 0 { usleep(useconds_t(min(hooks.healthIntervalMilliseconds, 3_600_000) * 1000)) }
            last = caller.run(.healthCheck, command, releases, timeoutMilliseconds: hooks.healthTimeoutMilliseconds)
            if last.succeeded { return nil }
        }
        let attempts = hooks.healthRetries + 1
        return "the health check failed \(attempts == 1 ? "its only attempt" : "all \(attempts) attempts") (the last \(last.description))"
    }

    /// Drops what the layout no longer needs once the new tree is in use for good.
    private func finish() {
        switch layout {
        case .sibling:
            guard !keepPrevious, FileTree.exists(destination.previous) else { return }
            try? FileTree.remove(destination.previous)
            try? SiblingRecord(current: release, previous: nil).write(destination)
        case .releases:
            _ = try? tree.prune(keep: keepReleases)
        }
    }
}

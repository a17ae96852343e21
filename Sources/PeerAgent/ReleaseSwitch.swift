import DeployProtocol
import Glibc
import Installer

/// Puts a verified, extracted tree into use on this host under the job's layout, with the
/// hooks around the switch and the health check after it, and takes the host back to where it
/// was when one of them fails:
///
/// 1. the new tree moves to its release path (`DEST/releases/<id>` in the release layout; it
///    stays staged beside `DEST` in the sibling one) and the before-hook runs; failing — or the
///    controller gone meanwhile — the new tree is removed and nothing else changed;
/// 2. the switch (`current` relinked, or `DEST` exchanged with the new tree);
/// 3. the after-hook, then the health check with its retries; failing, the switch is undone
///    (the failed release removed, a kept `DEST.prev` put back) and the after-hook runs again
///    for the tree back in use;
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
    /// Where an older `DEST.prev` waits while a switch that may be undone runs.
    private var asidePrevious: String { destination.stagingTree + ".prev" }

    /// The tree in use at the destination, if any: before the switch what a new release's
    /// pieces can be built from, after it the release just installed.
    var treeInUse: String? {
        switch layout {
        case .sibling: FileTree.isDirectory(destination.destination) ? destination.destination : nil
        case .releases: tree.currentRelease().map(tree.path(of:)).flatMap { FileTree.isDirectory($0) ? $0 : nil }
        }
    }

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
    /// back as it was. `stillWanted` is asked once the before-hook is done: false (the
    /// controller went away meanwhile) stops before the switch.
    func run(staged: InstallPaths, stillWanted: () -> String?) throws(Failure) {
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
                dropPlacedRelease(before)
                throw Failure(stage: .beforeActivate, description: "the before-activate hook \(ending.description); \(destination.destination) is unchanged")
            }
        }
        if let gone = stillWanted() {
            dropPlacedRelease(before)
            throw Failure(stage: .beforeActivate, description: "\(gone) before the switch; \(destination.destination) is unchanged")
        }

        let undoable = hooks.afterActivate != nil || hooks.healthCheck != nil
        do throws(InstallError) {
            try switchTo(staged, undoable: undoable, before: before)
        } catch {
            dropPlacedRelease(before)
            putBackAsidePrevious()
            throw Failure(stage: .install, description: "\(error)")
        }
        emit(.switched(release: release, previous: before.release))

        var active = releases
        active.path = layout == .releases ? newPath : destination.destination
        if layout == .sibling, before.path != nil { active.previousPath = destination.previous }
        if let command = hooks.afterActivate {
            let ending = caller.run(.afterActivate, command, active, timeoutMilliseconds: hooks.hookTimeoutMilliseconds)
            guard ending.succeeded else {
                throw rollBack(to: before, stage: .afterActivate, because: "the after-activate hook \(ending.description)")
            }
        }
        if let command = hooks.healthCheck, let failure = checkHealth(command, active) {
            throw rollBack(to: before, stage: .healthCheck, because: failure)
        }
        finish()
    }

    /// The release in use and where it is (nils when the destination holds none). `link` is
    /// `current` as written, to put back one that is not ours.
    struct InUse {
        var release: String?
        var path: String?
        var link: String?
        /// In the sibling layout, the release kept as `DEST.prev`.
        var kept: String?
    }

    private func inUse() -> InUse {
        switch layout {
        case .sibling:
            let record = SiblingRecord.read(destination)
            return InUse(
                release: record.current, path: FileTree.exists(destination.destination) ? destination.destination : nil,
                kept: record.previous)
        case .releases:
            let current = tree.currentRelease()
            return InUse(release: current, path: current.map(tree.path(of:)), link: tree.currentLinkTarget())
        }
    }

    /// Removes the release placed for this push, unless it is the one in use (the same id
    /// pushed again).
    private func dropPlacedRelease(_ before: InUse) {
        guard layout == .releases, let release, before.release != release else { return }
        try? tree.discard(release)
    }

    private func switchTo(_ staged: InstallPaths, undoable: Bool, before: InUse) throws(InstallError) {
        switch layout {
        case .sibling:
            // A switch that may be undone keeps the tree it replaces; an older DEST.prev waits
            // aside meanwhile, to be put back if it is undone.
            if undoable, FileTree.exists(destination.previous) {
                try FileTree.rename(destination.previous, to: asidePrevious)
            }
            let outcome = try Installer.switchIntoPlace(staged, keepPrevious: keepPrevious || undoable)
            let previous = outcome == .replacedKeepingPrevious ? before.release : nil
            // The tree is switched: a record that cannot be written only leaves `status` unsure.
            try? SiblingRecord(current: release, previous: previous).write(destination)
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
                    putBackAsidePrevious()
                } else {
                    try FileTree.remove(destination.destination)
                }
                let kept = FileTree.exists(destination.previous) ? before.kept : nil
                try? SiblingRecord(current: before.release, previous: kept).write(destination)
            case .releases:
                if before.release != nil {
                    try tree.activate(before.release)
                } else if let link = before.link {
                    try tree.relink(to: link)
                } else {
                    try tree.activate(nil)
                }
                if before.release != release, let release { try tree.discard(release) }
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

    /// Puts an older `DEST.prev` moved aside for the switch back in its place.
    private func putBackAsidePrevious() {
        guard FileTree.exists(asidePrevious), !FileTree.exists(destination.previous) else { return }
        try? FileTree.rename(asidePrevious, to: destination.previous)
    }

    /// Runs the health check until it passes or its retries are spent; nil when it passed.
    private func checkHealth(_ command: String, _ releases: HookCaller.Releases) -> String? {
        var last = HookRunner.Ending.exited(0)
        for attempt in 0...hooks.healthRetries {
            if attempt > 0 { Self.sleep(milliseconds: hooks.healthIntervalMilliseconds) }
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
            try? FileTree.remove(asidePrevious)
            guard !keepPrevious, FileTree.exists(destination.previous) else { return }
            try? FileTree.remove(destination.previous)
            try? SiblingRecord(current: release, previous: nil).write(destination)
        case .releases:
            do {
                try tree.prune(keep: keepReleases)
            } catch {
                emit(.log(level: "warning", message: "pruning old releases failed: \(error)"))
            }
        }
    }

    /// Sleeps on this thread (the switch runs on one of its own), a second at a time.
    private static func sleep(milliseconds: Int64) {
        var left = milliseconds
        while left > 0 {
            let step = min(left, 1000)
            usleep(useconds_t(step * 1000))
            left -= step
        }
    }
}

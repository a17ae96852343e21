import CRenameExchange
import Glibc

/// Prepares a host for one deploy and switches the new tree into place.
///
/// The destination is touched exactly once, by `switchIntoPlace`; every step before it works
/// on staging paths beside the destination, so a deploy that fails earlier leaves the
/// destination as it was.
public enum Installer {
    /// Creates the destination's parent, removes what interrupted deploys to the destination
    /// left beside it, and checks there is room for the tarball and the extracted tree. The
    /// caller holds the destination's lock (`DestinationLock`): no other deploy runs there.
    public static func prepare(_ paths: InstallPaths, archiveBytes: Int64, extractedBytes: Int64) throws(InstallError) {
        try FileTree.makeDirectories(paths.parent)
        try removeLeftovers(paths)
        let needed = requiredBytes(archiveBytes: archiveBytes, extractedBytes: extractedBytes)
        let available = try FileTree.availableBytes(at: paths.parent)
        guard available >= needed else {
            let previousHint = FileTree.exists(paths.previous)
                ? " (\(paths.previous), kept from the deploy before, may go; or push with --no-keep-previous)" : ""
            throw InstallError("""
                not enough space in \(paths.parent): the deploy needs \(mebibytes(needed)) \
                (tarball \(mebibytes(archiveBytes)) + extracted tree \(mebibytes(extractedBytes)) + margin) \
                but \(mebibytes(available)) are free; free some space\(previousHint) or choose another destination
                """)
        }
    }

    /// Says that the file system under `paths` filled up while the deploy wrote to it (others
    /// wrote too, since `prepare` found room): how much the deploy needs there against what is
    /// free now. Call it after `cleanUp`, so "free now" counts the staging files as gone.
    public static func ranOutOfSpace(
        _ paths: InstallPaths, archiveBytes: Int64, extractedBytes: Int64, while doing: String, error: any Error
    ) -> InstallError {
        let needed = requiredBytes(archiveBytes: archiveBytes, extractedBytes: extractedBytes)
        let free = (try? FileTree.availableBytes(at: paths.parent)).map(mebibytes) ?? "an unknown amount"
        return InstallError("""
            \(paths.parent) ran out of space while \(doing) (\(error)); \(paths.destination) is unchanged \
            and the staging files are removed. The deploy needs \(mebibytes(needed)) free there \
            (tarball \(mebibytes(archiveBytes)) + extracted tree \(mebibytes(extractedBytes)) + margin) \
            and \(free) are free now: something else is filling that file system; free space and push again
            """)
    }

    /// Tarball and tree side by side (the tarball is seeded while the tree is installed),
    /// plus room for file-system overhead: 1/32 of the tree and 8 MiB.
    /// Saturates rather than overflows: no disk holds `Int64.max` bytes either way.
    public static func requiredBytes(archiveBytes: Int64, extractedBytes: Int64) -> Int64 {
        [archiveBytes, extractedBytes, extractedBytes / 32, 8 << 20].reduce(0) { total, part in
            let (sum, overflow) = total.addingReportingOverflow(max(0, part))
            return overflow ? .max : sum
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// There was nothing at the destination.
        case created
        /// The old tree was moved to `InstallPaths.previous`.
        case replacedKeepingPrevious
        /// The old tree was removed (and any older `InstallPaths.previous` with it).
        case replaced
    }

    /// Puts `paths.stagingTree` at `paths.destination`. Where the kernel and file system allow
    /// (Linux renameat2), the two are exchanged atomically: the destination never disappears,
    /// and readers see either the old tree or the new one. Otherwise the old tree is moved
    /// aside and the new one renamed in, and a failure in between moves the old one back.
    public static func switchIntoPlace(_ paths: InstallPaths, keepPrevious: Bool) throws(InstallError) -> Outcome {
        guard FileTree.exists(paths.destination) else {
            try FileTree.rename(paths.stagingTree, to: paths.destination)
            return .created
        }
        if swarmdeploy_rename_exchange(paths.stagingTree, paths.destination) == 0 {
            // The switch is done and the staging path holds the old tree. What follows only
            // tidies up: failing, it must not report the switch as failed (the caller would
            // then remove the staging path, the old tree, as a leftover of a failed deploy).
            if keepPrevious, (try? FileTree.remove(paths.previous)) != nil, (try? FileTree.rename(paths.stagingTree, to: paths.previous)) != nil {
                return .replacedKeepingPrevious
            }
            try? FileTree.remove(paths.stagingTree)
            // An older kept tree would now be two versions old, not "the previous" one.
            try? FileTree.remove(paths.previous)
            return .replaced
        }
        let exchangeError = errno
        guard exchangeError == EINVAL || exchangeError == ENOSYS || exchangeError == EPERM else {
            throw InstallError("cannot switch \(paths.stagingTree) into \(paths.destination): \(FileTree.systemMessage(exchangeError))")
        }

        // No atomic exchange here: old tree aside, new tree in, and back on failure.
        try FileTree.remove(paths.previous)
        try FileTree.rename(paths.destination, to: paths.previous)
        do throws(InstallError) {
            try FileTree.rename(paths.stagingTree, to: paths.destination)
        } catch {
            _ = Glibc.rename(paths.previous, paths.destination)
            throw error
        }
        if keepPrevious { return .replacedKeepingPrevious }
        try? FileTree.remove(paths.previous)
        return .replaced
    }

    /// Removes the staging files (after success or failure); errors are ignored, as there
    /// is nothing better to do with them at that point.
    public static func cleanUp(_ paths: InstallPaths) {
        try? FileTree.remove(paths.tarball)
        try? FileTree.remove(paths.stagingTree)
    }

    /// Removes the staging files of every deploy to the destination, whatever its id: those
    /// of deploys whose peer was killed. Only under the destination's lock. Returns the paths
    /// removed.
    @discardableResult
    public static func removeLeftovers(_ paths: InstallPaths) throws(InstallError) -> [String] {
        let leftovers = try FileTree.entries(of: paths.parent).filter { $0.hasPrefix(paths.stagingPrefix) }.sorted()
            .map { (paths.parent == "/" ? "" : paths.parent) + "/" + $0 }
        for path in leftovers { try FileTree.remove(path) }
        return leftovers
    }


    private static func mebibytes(_ bytes: Int64) -> String {
        let value = Double(bytes) / 1_048_576
        return value < 10 ? "\((value * 10).rounded() / 10) MiB" : "\(Int(value.rounded())) MiB"
    }
}

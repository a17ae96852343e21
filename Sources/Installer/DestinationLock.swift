import Glibc

/// One deploy at a time per destination on a host: an exclusive `flock` on a lock file beside
/// the destination (`.NAME.swarmdeploy.lock`), held until this value is released, when the
/// file goes too. Two deploys
/// of the same tree share staging paths, so a second one — a new push while the peer of an
/// earlier, cut-off push has not yet noticed that its controller is gone — must not start
/// and have its files removed by the first one's clean-up.
public final class DestinationLock {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, or fails at once naming the destination.
    public init(_ paths: InstallPaths) throws(InstallError) {
        try FileTree.makeDirectories(paths.parent)
        let path = paths.lockFile
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw InstallError("cannot open the lock file \(path): \(String(cString: strerror(errno))); check that \(paths.parent) is writable")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK
                ? "another swarmdeploy peer is deploying to \(paths.destination) on this host (\(path) is locked): a push there is still running, or the peer of an earlier one that lost its controller has not ended yet (it does within seconds of noticing); try again when it has"
                : "cannot lock \(path): \(String(cString: strerror(errno)))"
            close(descriptor)
            throw InstallError(reason)
        }
        // Stored only once the lock is ours: `deinit` removes the file, which a deploy that
        // could not take the lock must leave alone.
        self.path = path
        self.descriptor = descriptor
    }

    /// Removes the lock file while still holding it (nothing is left beside the
    /// destination), then releases it.
    deinit {
        unlink(path)
        close(descriptor)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The controller's open-file limit, raised to what a push to N hosts needs: each host holds
/// its SSH connection for the whole push, its peer connects to the seeder, announces to the
/// tracker, and the seeder reads the source tree. The common soft limit of 1,024 would end a
/// push to a few hundred hosts half-way.
public enum DescriptorLimit {
    /// Descriptors per host (SSH, the peer's connection to the seeder, an announce in
    /// flight, a spare) and for the controller itself (its listeners, the source files it
    /// keeps open, logs).
    static let perHost = 4
    static let base = 256

    public static func needed(hosts: Int) -> Int {
        base + perHost * hosts
    }

    /// Raises the soft limit to `needed(hosts:)` when it is lower. Fails, naming both limits,
    /// when the hard limit is too low to allow it.
    public static func raise(forHosts hosts: Int) throws(PushError) {
        let wanted = rlim_t(needed(hosts: hosts))
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < wanted else { return }
        // RLIM_INFINITY is the largest value, so it passes this test too.
        guard limit.rlim_max >= wanted else {
            throw PushError(
                .controller,
                "a push to \(hosts) hosts needs about \(wanted) open files, but this process may open at most \(limit.rlim_max) (RLIMIT_NOFILE's hard limit)",
                remedy: "raise it (ulimit -Hn as root, LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf) or push to fewer hosts at once")
        }
        limit.rlim_cur = wanted
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw PushError(
                .controller, "cannot raise the open-file limit to \(wanted): \(String(cString: strerror(errno)))",
                remedy: "raise it before the push (ulimit -n \(wanted)) or push to fewer hosts at once")
        }
    }
}

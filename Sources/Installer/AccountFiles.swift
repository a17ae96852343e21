import Glibc

/// The host's users and groups as `/etc/passwd` and `/etc/group` list them. The peer is linked
/// statically and cannot use the name service switch (`getpwnam` would find nothing or
/// crash), so it reads the files; accounts only a directory service knows (LDAP, SSSD) are
/// not found and must be given by number.
public struct AccountFiles: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public let uid: UInt32
        public let gid: UInt32

        public init(uid: UInt32, gid: UInt32) {
            self.uid = uid
            self.gid = gid
        }
    }

    private var users: [String: User] = [:]
    private var groups: [String: UInt32] = [:]

    /// Parses the files' text; malformed lines are skipped, and the first line for a name wins
    /// (as the C library's lookups do).
    public init(passwd: String, group: String) {
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, !fields[0].isEmpty, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { continue }
            let name = String(fields[0])
            if users[name] == nil { users[name] = User(uid: uid, gid: gid) }
        }
        for line in group.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, let gid = UInt32(fields[2]) else { continue }
            let name = String(fields[0])
            if groups[name] == nil { groups[name] = gid }
        }
    }

    /// Reads `/etc/passwd` and `/etc/group` (or the files under `root`, for tests).
    public static func read(root: String = "") throws(InstallError) -> AccountFiles {
        let limit = 64 << 20
        return AccountFiles(
            passwd: try SmallFile.read(root + "/etc/passwd", limit: limit),
            group: try SmallFile.read(root + "/etc/group", limit: limit))
    }

    public func user(named name: String) -> User? { users[name] }
    public func group(named name: String) -> UInt32? { groups[name] }
    /// The primary group of the user with this uid, when the passwd file lists one.
    public func primaryGroup(ofUID uid: UInt32) -> UInt32? {
        users.values.filter { $0.uid == uid }.map(\.gid).min()
    }
}

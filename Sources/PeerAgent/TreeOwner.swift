import DeployProtocol
import Glibc
import Installer

/// The uid and gid a push's `--owner` names on this host, resolved before anything is
/// downloaded, so a host that lacks the account or the right to give files away fails while
/// its destination is untouched.
struct TreeOwner: Equatable {
    let uid: UInt32
    let gid: UInt32

    /// Resolves `owner` against `accounts`; `effectiveUID` is who runs the peer.
    static func resolve(_ owner: FileOwner, accounts: AccountFiles, effectiveUID: UInt32) throws(PeerFailure) -> TreeOwner {
        let uid: UInt32
        var primaryGID: UInt32?
        switch owner.user {
        case .id(let id):
            uid = id
            primaryGID = accounts.primaryGroup(ofUID: id)
        case .name(let name):
            guard let user = accounts.user(named: name) else {
                throw PeerFailure("--owner: no user \"\(name)\" in /etc/passwd on this host; create it, or give the uid (--owner UID:GID)")
            }
            uid = user.uid
            primaryGID = user.gid
        }
        let gid: UInt32
        switch owner.group {
        case .id(let id)?:
            gid = id
        case .name(let name)?:
            guard let found = accounts.group(named: name) else {
                throw PeerFailure("--owner: no group \"\(name)\" in /etc/group on this host; create it, or give the gid (--owner USER:GID)")
            }
            gid = found
        case nil:
            guard let primaryGID else {
                throw PeerFailure("--owner: uid \(uid) is not in /etc/passwd on this host, so it has no primary group; give the group too (--owner \(uid):GID)")
            }
            gid = primaryGID
        }
        if effectiveUID != 0 && uid != effectiveUID {
            throw PeerFailure("--owner \(owner): giving files to another user needs root, and the peer runs as uid \(effectiveUID); add --sudo, or log in as root")
        }
        return TreeOwner(uid: uid, gid: gid)
    }

    /// Resolves the job's owner (nil when it names none) on this host.
    static func forJob(_ job: PeerJob) throws -> TreeOwner? {
        guard let owner = job.owner else { return nil }
        return try resolve(owner, accounts: try AccountFiles.read(), effectiveUID: geteuid())
    }
}

import DeployProtocol
import Installer
import Testing
@testable import PeerAgent

@Suite("--owner resolved on the host")
struct TreeOwnerTests {
    static let accounts = AccountFiles(
        passwd: "root:x:0:0::/root:/bin/bash\napp:x:1001:1002::/home/app:/bin/sh\n",
        group: "root:x:0:\napps:x:1002:\nwww-data:x:33:\n")

    static func resolve(_ text: String, as uid: UInt32 = 0) throws(PeerFailure) -> TreeOwner {
        try TreeOwner.resolve(try! FileOwner.parse(text).get(), accounts: accounts, effectiveUID: uid)
    }

    @Test func namesAndIdsBecomeTheHostsIds() throws {
        #expect(try Self.resolve("app") == TreeOwner(uid: 1001, gid: 1002))
        #expect(try Self.resolve("app:www-data") == TreeOwner(uid: 1001, gid: 33))
        #expect(try Self.resolve("1001") == TreeOwner(uid: 1001, gid: 1002))
        #expect(try Self.resolve("5000:5000") == TreeOwner(uid: 5000, gid: 5000))
        // Giving the tree to oneself needs no root.
        #expect(try Self.resolve("app", as: 1001) == TreeOwner(uid: 1001, gid: 1002))
    }

    @Test func whatTheHostLacksOrForbidsIsSaid() {
        let table: [(String, UInt32, String)] = [
            ("ghost", 0, "no user \"ghost\" in /etc/passwd"),
            ("app:ghosts", 0, "no group \"ghosts\" in /etc/group"),
            ("5000", 0, "give the group too"),
            ("app", 2000, "needs root"),
        ]
        for (text, uid, expected) in table {
            #expect(throws: PeerFailure.self, "\(text)") { try Self.resolve(text, as: uid) }
            do {
                _ = try Self.resolve(text, as: uid)
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
    }
}

import Foundation
import Glibc
import Installer
import Testing
import TestSupport

@Suite("Account files and giving a tree to its owner")
struct OwnershipTests {
    @Test func accountFilesAreReadWithoutTheNameService() {
        let accounts = AccountFiles(
            passwd: "root:x:0:0:root:/root:/bin/bash\nbroken line\napp:x:1001:1002::/home/app:/bin/sh\napp:x:9:9::/:/bin/sh\n",
            group: "root:x:0:\nwww-data:x:33:\napps:x:1002:app\n")
        #expect(accounts.user(named: "app") == AccountFiles.User(uid: 1001, gid: 1002))
        #expect(accounts.user(named: "nobody-here") == nil)
        #expect(accounts.group(named: "www-data") == 33)
        #expect(accounts.primaryGroup(ofUID: 0) == 0)
        #expect(accounts.primaryGroup(ofUID: 4242) == nil)
    }

    @Test("a tree and everything in it changes owner; links are not followed", .enabled(if: geteuid() == 0))
    func changeOwnerWalksTheTreeWithoutFollowingLinks() throws {
        let temp = try TemporaryDirectory("owner")
        try temp.write("x", to: "tree/a/file")
        let outside = try temp.write("y", to: "outside")
        try FileManager.default.createSymbolicLink(atPath: temp.path("tree/a/link"), withDestinationPath: outside)
        try FileTree.changeOwner(temp.path("tree"), uid: 65534, gid: 65533)
        for path in ["tree", "tree/a", "tree/a/file", "tree/a/link"] {
            var info = stat()
            #expect(lstat(temp.path(path), &info) == 0)
            #expect(info.st_uid == 65534 && info.st_gid == 65533, "\(path)")
        }
        var target = stat()
        #expect(stat(outside, &target) == 0)
        #expect(target.st_uid == 0, "the link's target outside the tree kept its owner")
    }
}

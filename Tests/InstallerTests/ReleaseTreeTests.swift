import Glibc
import Installer
import Testing
import TestSupport

/// The release layout on a real directory: placing, switching, pruning, leftovers.
@Suite("The release layout: releases/<id> and a current link")
struct ReleaseTreeTests {
    private let directory: TemporaryDirectory
    private var tree: ReleaseTree { ReleaseTree(root: directory.path + "/app") }

    init() throws {
        directory = try TemporaryDirectory("releases")
    }

    /// A staged tree holding one file that says `text`.
    private func staged(_ text: String) throws -> String {
        let path = directory.path + "/staged-" + text
        try FileTree.makeDirectories(path)
        try writeFile(path + "/VERSION", text)
        return path
    }

    private func writeFile(_ path: String, _ text: String) throws {
        let file = fopen(path, "w")
        try #require(file != nil)
        fputs(text, file)
        fclose(file)
    }

    private func readCurrent() -> String? {
        guard let file = fopen(tree.current + "/VERSION", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        return fgets(&buffer, 64, file).map { _ in String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    @Test func releasesSwitchThroughTheCurrentLink() throws {
        try FileTree.makeDirectories(tree.releases)
        try tree.place(try staged("1"), as: "20260101T000000Z-aaaa")
        #expect(try tree.activate("20260101T000000Z-aaaa") == nil)
        #expect(readCurrent() == "1")
        try tree.place(try staged("2"), as: "20260102T000000Z-bbbb")
        #expect(try tree.activate("20260102T000000Z-bbbb") == "20260101T000000Z-aaaa")
        #expect(readCurrent() == "2")
        let status = try tree.status()
        #expect(status.current == "20260102T000000Z-bbbb")
        #expect(status.previous == "20260101T000000Z-aaaa")
        #expect(status.all == ["20260101T000000Z-aaaa", "20260102T000000Z-bbbb"])
        // The link is relative, so the tree can be moved or mounted elsewhere.
        var buffer = [CChar](repeating: 0, count: 256)
        let length = readlink(tree.current, &buffer, 255)
        #expect(String(decoding: buffer[..<max(0, length)].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "releases/20260102T000000Z-bbbb")
        // Back to the first; then no release at all.
        #expect(try tree.activate("20260101T000000Z-aaaa") == "20260102T000000Z-bbbb")
        #expect(readCurrent() == "1")
        try tree.activate(nil)
        #expect(!FileTree.exists(tree.current))
        #expect(throws: InstallError.self) { try tree.activate("20990101T000000Z-none") }
    }

    @Test func pruningKeepsTheNewestAndNeverTheCurrentOrPrevious() throws {
        try FileTree.makeDirectories(tree.releases)
        let ids = (1...7).map { "2026010\($0)T000000Z-0000" }
        for id in ids { try tree.place(try staged(id), as: id) }
        try tree.activate(ids[6])
        // Releases from before the history count as switched to in the order of their ids.
        #expect(try tree.status().previous == ids[5])
        #expect(try tree.prune(keep: 3) == Array(ids[0..<4]))
        #expect(try tree.status().all == Array(ids[4...]))
        // Rolled back: the one in use before is the newer one, and it stays.
        try tree.activate(ids[5])
        #expect(try tree.status().previous == ids[6])
        #expect(try tree.prune(keep: 1) == [ids[4]])
        #expect(try tree.status().all == [ids[5], ids[6]])
    }

    @Test func thePreviousReleaseIsTheOneInUseBeforeEvenAfterARollback() throws {
        try FileTree.makeDirectories(tree.releases)
        let (r1, r2, r3) = ("20260101T000000Z-0001", "20260102T000000Z-0002", "20260103T000000Z-0003")
        try tree.place(try staged("1"), as: r1)
        try tree.activate(r1)
        try tree.place(try staged("2"), as: r2)
        try tree.activate(r2)
        try tree.activate(r1)  // rolled back: r2 was bad
        try tree.place(try staged("3"), as: r3)
        try tree.activate(r3)
        #expect(try tree.status().previous == r1, "r1 ran before r3, not r2")
        #expect(try tree.prune(keep: 2) == [r2], "the bad release goes, the one to roll back to stays")
        #expect(readCurrent() == "3")
    }

    @Test func anAbsoluteCurrentLinkIsOursAndATreeWithAReleasesDirectoryIsNot() throws {
        try FileTree.makeDirectories(tree.releases + "/20260101T000000Z-0001")
        #expect(symlink(tree.releases + "/20260101T000000Z-0001", tree.current) == 0)
        #expect(tree.currentRelease() == "20260101T000000Z-0001")
        #expect(tree.exists)
        let site = ReleaseTree(root: directory.path + "/site")
        try FileTree.makeDirectories(site.releases)
        try writeFile(site.root + "/index.html", "<h1>changelog</h1>")
        #expect(!site.exists, "a site with a releases/ page is not the release layout")
    }

    @Test func aReleasePlacedButNeverSwitchedToIsALeftover() throws {
        try FileTree.makeDirectories(tree.releases)
        try tree.place(try staged("1"), as: "20260101T000000Z-0001")
        try tree.activate("20260101T000000Z-0001")
        // A deploy killed between placing its release and switching to it.
        try tree.place(try staged("2"), as: "20260102T000000Z-0002")
        #expect(try tree.removeLeftovers() == [tree.releases + "/20260102T000000Z-0002"])
        #expect(try tree.status().all == ["20260101T000000Z-0001"])
    }

    @Test func aTreeInstalledAnotherWayIsRefused() throws {
        try tree.checkUsable()  // absent
        try FileTree.makeDirectories(tree.root)
        try tree.checkUsable()  // empty
        try writeFile(tree.root + "/index.html", "old")
        let error = #expect(throws: InstallError.self) { try tree.checkUsable() }
        #expect(error?.description.contains("sibling layout") == true)
    }

    @Test func leftoversOfInterruptedDeploysAreRemoved() throws {
        try FileTree.makeDirectories(tree.releases + "/.20260101T000000Z-aaaa.swarmdeploy-1f.new")
        try writeFile(tree.releases + "/.20260101T000000Z-aaaa.swarmdeploy-1f.tar", "x")
        try writeFile(tree.root + "/.current.swarmdeploy-77", "x")
        try FileTree.makeDirectories(tree.releases + "/20260101T000000Z-aaaa")
        try tree.removeLeftovers()
        #expect(try FileTree.entries(of: tree.releases) == ["20260101T000000Z-aaaa"])
        #expect(!FileTree.exists(tree.root + "/.current.swarmdeploy-77"))
    }

    @Test func theSiblingRecordNamesOnlyTreesThatExist() throws {
        let paths = try InstallPaths(destination: directory.path + "/site", id: "1")
        #expect(SiblingRecord.read(paths) == SiblingRecord(current: nil, previous: nil))
        try FileTree.makeDirectories(paths.destination)
        try SiblingRecord(current: "20260102T000000Z-bbbb", previous: "20260101T000000Z-aaaa").write(paths)
        #expect(SiblingRecord.read(paths) == SiblingRecord(current: "20260102T000000Z-bbbb", previous: nil), "no site.prev")
        try FileTree.makeDirectories(paths.previous)
        try writeFile(paths.previous + "/VERSION", "1")
        #expect(SiblingRecord.read(paths).previous == "20260101T000000Z-aaaa")
        try Installer.exchangeWithPrevious(paths)
        #expect(FileTree.exists(paths.destination + "/VERSION"))
        #expect(!FileTree.exists(paths.previous + "/VERSION"))
    }
}

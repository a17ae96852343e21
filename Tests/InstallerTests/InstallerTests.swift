import Glibc
import Installer
import XCTest

final class InstallerTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/swarmdeploy-installer-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw InstallError("mkdtemp failed") }
        root = String(cString: made)
    }

    override func tearDownWithError() throws {
        try FileTree.remove(root)
    }

    func testPathsLiveBesideTheDestination() throws {
        let paths = try InstallPaths(destination: "/srv/app/", id: "abc123")
        XCTAssertEqual(paths.destination, "/srv/app")
        XCTAssertEqual(paths.parent, "/srv")
        XCTAssertEqual(paths.tarball, "/srv/.app.swarmdeploy-abc123.tar")
        XCTAssertEqual(paths.stagingTree, "/srv/.app.swarmdeploy-abc123.new")
        XCTAssertEqual(paths.previous, "/srv/app.prev")
        XCTAssertEqual(try InstallPaths(destination: "/app", id: "1").tarball, "/.app.swarmdeploy-1.tar")
    }

    func testUnsafeDestinationsAreRefused() {
        for destination in ["relative/app", "/", "//", "/srv/../etc", "/srv/./app"] {
            XCTAssertThrowsError(try InstallPaths(destination: destination, id: "1"), destination)
        }
        XCTAssertThrowsError(try InstallPaths(destination: "/srv/app", id: "../x"))
    }

    func testFirstInstallCreatesTheDestinationAndItsParents() throws {
        let paths = try InstallPaths(destination: root + "/a/b/app", id: "1")
        try Installer.prepare(paths, archiveBytes: 10, extractedBytes: 10)
        try write(paths.stagingTree + "/version", "1")
        XCTAssertEqual(try Installer.switchIntoPlace(paths, keepPrevious: true), .created)
        XCTAssertEqual(try read(paths.destination + "/version"), "1")
        XCTAssertFalse(FileTree.exists(paths.stagingTree))
    }

    func testReplacingKeepsThePreviousTreeWhenAsked() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "2")
        try write(paths.destination + "/version", "1")
        try write(paths.previous + "/version", "0")
        try write(paths.stagingTree + "/version", "2")
        XCTAssertEqual(try Installer.switchIntoPlace(paths, keepPrevious: true), .replacedKeepingPrevious)
        XCTAssertEqual(try read(paths.destination + "/version"), "2")
        XCTAssertEqual(try read(paths.previous + "/version"), "1")
        XCTAssertFalse(FileTree.exists(paths.stagingTree))
    }

    func testReplacingWithoutKeepingRemovesTheOldTree() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "3")
        try write(paths.destination + "/old/deep/file", "1")
        try write(paths.previous + "/version", "0")
        chmod(paths.destination + "/old/deep", 0o555)  // read-only directories are removed too
        try write(paths.stagingTree + "/version", "2")
        XCTAssertEqual(try Installer.switchIntoPlace(paths, keepPrevious: false), .replaced)
        XCTAssertEqual(try read(paths.destination + "/version"), "2")
        XCTAssertFalse(FileTree.exists(paths.previous))
        XCTAssertFalse(FileTree.exists(paths.stagingTree))
    }

    func testPrepareRemovesLeftoversOfAnInterruptedRun() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "4")
        try write(paths.destination + "/version", "1")
        try write(paths.stagingTree + "/half-extracted", "x")
        try write(paths.tarball, "partial")
        try Installer.prepare(paths, archiveBytes: 10, extractedBytes: 10)
        XCTAssertFalse(FileTree.exists(paths.stagingTree))
        XCTAssertFalse(FileTree.exists(paths.tarball))
        XCTAssertEqual(try read(paths.destination + "/version"), "1", "the destination is not touched")
    }

    func testTooLittleSpaceIsRefusedBeforeAnythingIsWrittenAndNamesTheDirectory() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "5")
        try write(paths.destination + "/version", "1")
        let free = try FileTree.availableBytes(at: root)
        XCTAssertThrowsError(try Installer.prepare(paths, archiveBytes: free, extractedBytes: free)) { error in
            XCTAssertTrue("\(error)".contains("not enough space in \(root)"), "\(error)")
        }
        XCTAssertEqual(try read(paths.destination + "/version"), "1")
    }

    func testSymlinksAreRemovedNotFollowed() throws {
        try write(root + "/outside/keep", "precious")
        try FileTree.makeDirectories(root + "/tree")
        XCTAssertEqual(symlink(root + "/outside", root + "/tree/link"), 0)
        try FileTree.remove(root + "/tree")
        XCTAssertEqual(try read(root + "/outside/keep"), "precious")
    }

    private func write(_ path: String, _ text: String) throws {
        try FileTree.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw InstallError("open \(path)") }
        defer { close(fd) }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    }

    private func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InstallError("open \(path)") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(fd, &buffer, buffer.count)
        return String(decoding: buffer[..<max(0, count)], as: UTF8.self)
    }
}

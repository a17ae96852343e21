import Glibc
import Installer
import Testing
import TestSupport

/// Each test gets a fresh directory of its own to install into, removed after it.
@Suite("Installing a tree beside its destination")
struct InstallerTests {
    private let directory: TemporaryDirectory
    private var root: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory("installer")
    }

    @Test func pathsLiveBesideTheDestination() throws {
        let paths = try InstallPaths(destination: "/srv/app/", id: "abc123")
        #expect(paths.destination == "/srv/app")
        #expect(paths.parent == "/srv")
        #expect(paths.tarball == "/srv/.app.swarmdeploy-abc123.tar")
        #expect(paths.stagingTree == "/srv/.app.swarmdeploy-abc123.new")
        #expect(paths.previous == "/srv/app.prev")
        #expect(try InstallPaths(destination: "/app", id: "1").tarball == "/.app.swarmdeploy-1.tar")
    }

    @Test func unsafeDestinationsAreRefused() {
        for destination in ["relative/app", "/", "//", "/srv/../etc", "/srv/./app"] {
            #expect(throws: (any Error).self, "\(destination)") { try InstallPaths(destination: destination, id: "1") }
        }
        #expect(throws: (any Error).self) { try InstallPaths(destination: "/srv/app", id: "../x") }
    }

    @Test func firstInstallCreatesTheDestinationAndItsParents() throws {
        let paths = try InstallPaths(destination: root + "/a/b/app", id: "1")
        try Installer.prepare(paths, archiveBytes: 10, extractedBytes: 10)
        try write(paths.stagingTree + "/version", "1")
        #expect(try Installer.switchIntoPlace(paths, keepPrevious: true) == .created)
        #expect(try read(paths.destination + "/version") == "1")
        #expect(!FileTree.exists(paths.stagingTree))
    }

    @Test func replacingKeepsThePreviousTreeWhenAsked() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "2")
        try write(paths.destination + "/version", "1")
        try write(paths.previous + "/version", "0")
        try write(paths.stagingTree + "/version", "2")
        #expect(try Installer.switchIntoPlace(paths, keepPrevious: true) == .replacedKeepingPrevious)
        #expect(try read(paths.destination + "/version") == "2")
        #expect(try read(paths.previous + "/version") == "1")
        #expect(!FileTree.exists(paths.stagingTree))
    }

    @Test func replacingWithoutKeepingRemovesTheOldTree() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "3")
        try write(paths.destination + "/old/deep/file", "1")
        try write(paths.previous + "/version", "0")
        chmod(paths.destination + "/old/deep", 0o555)  // read-only directories are removed too
        try write(paths.stagingTree + "/version", "2")
        #expect(try Installer.switchIntoPlace(paths, keepPrevious: false) == .replaced)
        #expect(try read(paths.destination + "/version") == "2")
        #expect(!FileTree.exists(paths.previous))
        #expect(!FileTree.exists(paths.stagingTree))
    }

    @Test func prepareRemovesLeftoversOfInterruptedRuns() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "4")
        let earlier = try InstallPaths(destination: root + "/app", id: "3")
        try write(paths.destination + "/version", "1")
        try write(earlier.stagingTree + "/half-extracted", "x")
        try write(earlier.tarball, "partial")
        try write(root + "/.web.swarmdeploy-3.tar", "another destination's")
        try Installer.prepare(paths, archiveBytes: 10, extractedBytes: 10)
        #expect(!FileTree.exists(earlier.stagingTree))
        #expect(!FileTree.exists(earlier.tarball))
        #expect(FileTree.exists(root + "/.web.swarmdeploy-3.tar"))
        #expect(try read(paths.destination + "/version") == "1", "the destination is not touched")
    }

    @Test func tooLittleSpaceIsRefusedBeforeAnythingIsWrittenAndNamesTheDirectory() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "5")
        try write(paths.destination + "/version", "1")
        let free = try FileTree.availableBytes(at: root)
        let error = #expect(throws: (any Error).self) {
            try Installer.prepare(paths, archiveBytes: free, extractedBytes: free)
        }
        let message = error.map { "\($0)" } ?? "no error"
        #expect(message.contains("not enough space in \(root)"), "\(message)")
        #expect(try read(paths.destination + "/version") == "1")
    }

    @Test func runningOutOfSpaceLaterSaysWhatTheDeployNeedsAndWhatIsFreeNow() throws {
        let paths = try InstallPaths(destination: root + "/app", id: "6")
        let cause = InstallError("writing the tarball failed: No space left on device")
        let message = "\(Installer.ranOutOfSpace(paths, archiveBytes: 40 << 20, extractedBytes: 64 << 20, while: "downloading", error: cause))"
        #expect(message.hasPrefix("\(root) ran out of space while downloading (writing the tarball failed"), "\(message)")
        #expect(message.contains("\(paths.destination) is unchanged"), "\(message)")
        // 40 + 64 + 64/32 + 8 MiB.
        #expect(message.contains("needs 114 MiB free there (tarball 40 MiB + extracted tree 64 MiB + margin)"), "\(message)")
        #expect(message.contains("are free now"), "\(message)")
    }

    @Test func symlinksAreRemovedNotFollowed() throws {
        try write(root + "/outside/keep", "precious")
        try FileTree.makeDirectories(root + "/tree")
        #expect(symlink(root + "/outside", root + "/tree/link") == 0)
        try FileTree.remove(root + "/tree")
        #expect(try read(root + "/outside/keep") == "precious")
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

import Foundation
import Installer
import Testing
import TestSupport
@testable import PeerAgent

/// What the controller runs on a host whose peer was killed before installing.
@Suite struct CleanUpTests {
    static let infoHash = "6358db04f527ffd3a1e0c2b9d8f7e6a5b4c3d2e1"

    @Test func theKilledDeploysFilesGoAndTheDestinationStays() throws {
        let temp = try TemporaryDirectory("clean-up")
        let destination = temp.path("app")
        let paths = try HostDeployment.installPaths(destination: destination, infoHash: Self.infoHash)
        try temp.write("old\n", to: "app/VERSION")
        try temp.write("half a tarball", to: URL(fileURLWithPath: paths.tarball).lastPathComponent)
        try temp.write("x", to: URL(fileURLWithPath: paths.stagingTree).lastPathComponent + "/file")
        // A killed peer leaves its lock file too (released by the kernel, not removed).
        try temp.write("", to: URL(fileURLWithPath: paths.lockFile).lastPathComponent)

        let said = try HostDeployment.cleanUpAfterKilledDeploy(destination: destination, infoHash: Self.infoHash)
        #expect(said.contains("removed \(paths.tarball) and \(paths.stagingTree)"), "\(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path("")).sorted() == ["app"])
        #expect(try String(contentsOfFile: destination + "/VERSION", encoding: .utf8) == "old\n")
        #expect(try HostDeployment.cleanUpAfterKilledDeploy(destination: destination, infoHash: Self.infoHash).contains("nothing was left"))
    }

    @Test func filesOfARunningDeployAreLeftAlone() throws {
        let temp = try TemporaryDirectory("clean-up")
        let destination = temp.path("app")
        let paths = try HostDeployment.installPaths(destination: destination, infoHash: Self.infoHash)
        try temp.write("in use", to: URL(fileURLWithPath: paths.tarball).lastPathComponent)
        let running = try DestinationLock(paths)
        #expect(throws: InstallError.self) {
            try HostDeployment.cleanUpAfterKilledDeploy(destination: destination, infoHash: Self.infoHash)
        }
        #expect(FileManager.default.fileExists(atPath: paths.tarball))
        withExtendedLifetime(running) {}
    }
}

import Foundation
import Installer
import Testing
import TestSupport
@testable import PeerAgent

/// What the controller runs on a host whose peer was killed before installing.
@Suite struct CleanUpTests {
    @Test func everyKilledDeploysFilesGoAndTheDestinationStays() throws {
        let temp = try TemporaryDirectory("clean-up")
        let destination = temp.path("app")
        try temp.write("old\n", to: "app/VERSION")
        // Two killed deploys (their ids are random), and what is not theirs.
        for id in ["1f2e", "9c8b"] {
            let paths = try InstallPaths(destination: destination, id: id)
            try temp.write("half a tarball", to: URL(fileURLWithPath: paths.tarball).lastPathComponent)
            try temp.write("x", to: URL(fileURLWithPath: paths.stagingTree).lastPathComponent + "/file")
        }
        try temp.write("keep", to: "app.prev/VERSION")
        try temp.write("keep", to: ".other.swarmdeploy-1f2e.tar")
        // A killed peer leaves its lock file too (released by the kernel, not removed).
        try temp.write("", to: ".app.swarmdeploy.lock")

        let said = try HostDeployment.cleanUpAfterKilledDeploy(destination: destination)
        #expect(said.contains("removed \(temp.path(".app.swarmdeploy-1f2e.new")) and "), "\(said)")
        let left = try FileManager.default.contentsOfDirectory(atPath: temp.path("")).sorted()
        #expect(left == [".other.swarmdeploy-1f2e.tar", "app", "app.prev"])
        #expect(try String(contentsOfFile: destination + "/VERSION", encoding: .utf8) == "old\n")
        #expect(try HostDeployment.cleanUpAfterKilledDeploy(destination: destination).contains("nothing was left"))
    }

    @Test func filesOfARunningDeployAreLeftAlone() throws {
        let temp = try TemporaryDirectory("clean-up")
        let destination = temp.path("app")
        let paths = try InstallPaths(destination: destination, id: "5a")
        try temp.write("in use", to: URL(fileURLWithPath: paths.tarball).lastPathComponent)
        let running = try DestinationLock(paths)
        #expect(throws: InstallError.self) {
            try HostDeployment.cleanUpAfterKilledDeploy(destination: destination)
        }
        #expect(FileManager.default.fileExists(atPath: paths.tarball))
        withExtendedLifetime(running) {}
    }
}

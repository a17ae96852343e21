import Installer
import Testing
import TestSupport

/// One deploy at a time per destination: a second one fails at once and names why.
@Suite struct DestinationLockTests {
    @Test func aSecondDeployToTheSameDestinationIsRefusedUntilTheFirstEnds() throws {
        let directory = try TemporaryDirectory("lock")
        let first = try InstallPaths(destination: directory.path("srv/app"), id: "aaaa")
        let second = try InstallPaths(destination: directory.path("srv/app"), id: "aaaa")
        #expect(first.lockFile == directory.path("srv/.app.swarmdeploy.lock"))

        var held: DestinationLock? = try DestinationLock(first)
        let error = #expect(throws: InstallError.self) { try DestinationLock(second) }
        #expect(error?.description.contains("another swarmdeploy peer is deploying to \(first.destination)") == true)
        withExtendedLifetime(held) {}
        held = nil
        // Released and removed: nothing is left beside the destination.
        #expect(!FileTree.exists(first.lockFile))
        #expect(throws: Never.self) { _ = try DestinationLock(second) }
    }

    @Test func otherDestinationsAreIndependent() throws {
        let directory = try TemporaryDirectory("lock")
        let app = try DestinationLock(try InstallPaths(destination: directory.path("srv/app"), id: "a"))
        let web = try DestinationLock(try InstallPaths(destination: directory.path("srv/web"), id: "a"))
        #expect(app.path != web.path)
    }
}

import Foundation
import Testing
import TestSupport

/// Starts `swarmdeploy tracker` on `port` for temp's release.torrent and `swarmdeploy seed` of
/// release.tar, and waits until both are ready. The caller stops them.
func startTrackerAndSeeder(in temp: TemporaryDirectory, port: Int) throws -> (tracker: BackgroundProcess, seeder: BackgroundProcess) {
    let swarmdeploy = CLI.swarmdeployPath
    let tracker = try BackgroundProcess(
        swarmdeploy, ["tracker", "--listen", "127.0.0.1:\(port)", "--torrent", temp.path("release.torrent")],
        logPath: temp.path("tracker.log")
    )
    #expect(tracker.waitForLog(containing: "announce URL"), "\(tracker.log)")
    let seeder = try BackgroundProcess(
        swarmdeploy, ["seed", temp.path("release.torrent"), temp.path("release.tar"), "--listen", "127.0.0.1:0"],
        logPath: temp.path("seed.log")
    )
    #expect(seeder.waitForLog(containing: "listening on port"), "\(seeder.log)")
    return (tracker, seeder)
}

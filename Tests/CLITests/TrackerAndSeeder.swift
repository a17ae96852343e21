import Foundation
import Testing
import TestSupport
import TorrentMetainfo

/// Starts `swarmdeploy tracker` on `port` for temp's release.torrent and waits until it is
/// ready. The caller stops it.
func startTracker(in temp: TemporaryDirectory, port: Int) throws -> BackgroundProcess {
    let tracker = try BackgroundProcess(
        CLI.swarmdeployPath, ["tracker", "--listen", "127.0.0.1:\(port)", "--torrent", temp.path("release.torrent")],
        logPath: temp.path("tracker.log")
    )
    #expect(tracker.waitForLog(containing: "announce URL"), "\(tracker.log)")
    return tracker
}

/// Starts `swarmdeploy tracker` on `port` for temp's release.torrent and `swarmdeploy seed` of
/// release.tar, and waits until both are ready. The caller stops them.
func startTrackerAndSeeder(in temp: TemporaryDirectory, port: Int) throws -> (tracker: BackgroundProcess, seeder: BackgroundProcess) {
    let tracker = try startTracker(in: temp, port: port)
    let seeder = try BackgroundProcess(
        CLI.swarmdeployPath, ["seed", temp.path("release.torrent"), temp.path("release.tar"), "--listen", "127.0.0.1:0"],
        logPath: temp.path("seed.log")
    )
    #expect(seeder.waitForLog(containing: "listening on port"), "\(seeder.log)")
    return (tracker, seeder)
}

/// A directory `seed` holding the payload under the torrent's name, as another client's
/// seeder expects to find it.
func seedDirectory(in temp: TemporaryDirectory, for metainfo: Metainfo) throws -> String {
    try FileManager.default.createDirectory(atPath: temp.path("seed"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: temp.path("release.tar"), toPath: temp.path("seed/\(metainfo.name)"))
    return temp.path("seed")
}

/// A tree of one 5 MiB random file, packed with `tracker` as its announce URL.
func packedPayload(in temp: TemporaryDirectory, tracker: String) async throws -> Metainfo {
    try FileManager.default.createDirectory(atPath: temp.path("tree"), withIntermediateDirectories: true)
    try temp.write(SplitMix64.bytes(count: 5 << 20, seed: 77), to: "tree/payload.bin")
    let packed = try await CLI.swarmdeploy([
        "pack", temp.path("tree"), "-o", temp.path("release"), "--tracker", tracker, "--piece-size", "256KiB",
    ])
    try #require(packed.status == 0, "\(packed.stderr)")
    return try Metainfo(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: temp.path("release.torrent")))))
}

/// A fresh directory with a packed release whose torrent names a tracker on a free loopback
/// port, for a test to start the swarm around it.
func packedRelease() async throws -> (temp: TemporaryDirectory, port: Int, metainfo: Metainfo) {
    let temp = try TemporaryDirectory()
    let port = try Loopback.freePort()
    let metainfo = try await packedPayload(in: temp, tracker: "http://127.0.0.1:\(port)/announce")
    return (temp, port, metainfo)
}

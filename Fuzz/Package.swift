// swift-tools-version:5.4
// libFuzzer targets for swarmdeploy's parsers; build and run them with scripts/fuzz.sh.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links every executable with its entry
// point renamed to <Module>_main, which a target built with -parse-as-library does not have
// (libFuzzer brings `main`), so the link fails.
import PackageDescription

let swarmdeploy = "swarmdeploy"

/// One libFuzzer executable: a single file exporting LLVMFuzzerTestOneInput.
func fuzzer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies)
}

let package = Package(
    name: "swarmdeploy-fuzz",
    dependencies: [
        .package(name: swarmdeploy, path: ".."),
        // The same package the main one uses, for NIOEmbedded.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        fuzzer("FuzzBencode", [.product(name: "Bencode", package: swarmdeploy)]),
        fuzzer("FuzzMetainfo", [
            .product(name: "TorrentMetainfo", package: swarmdeploy),
            .product(name: "Bencode", package: swarmdeploy),
        ]),
        fuzzer("FuzzPeerWire", [
            .product(name: "PeerWire", package: swarmdeploy),
            .product(name: "TorrentMetainfo", package: swarmdeploy),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        fuzzer("FuzzTrackerRequest", [
            .product(name: "Tracker", package: swarmdeploy),
            .product(name: "TorrentMetainfo", package: swarmdeploy),
        ]),
        fuzzer("FuzzTrackerResponse", [
            .product(name: "Tracker", package: swarmdeploy),
            .product(name: "Bencode", package: swarmdeploy),
        ]),
        fuzzer("FuzzTar", [.product(name: "Archive", package: swarmdeploy)]),
        fuzzer("FuzzGzip", [.product(name: "Archive", package: swarmdeploy)]),
        fuzzer("FuzzArchiveIndex", [.product(name: "Archive", package: swarmdeploy)]),
        fuzzer("FuzzHostsFile", [.product(name: "DeployConfiguration", package: swarmdeploy)]),
        fuzzer("FuzzDeployfile", [.product(name: "DeployConfiguration", package: swarmdeploy)]),
        fuzzer("FuzzPeerJob", [.product(name: "DeployProtocol", package: swarmdeploy)]),

        // Writes the seed corpora from the project's own writers (scripts/fuzz.sh --seeds).
        // Built with the fuzzers' flags, it works in libFuzzer's initialization hook.
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: [
                .product(name: "Archive", package: swarmdeploy),
                .product(name: "Bencode", package: swarmdeploy),
                .product(name: "DeployProtocol", package: swarmdeploy),
                .product(name: "PeerWire", package: swarmdeploy),
                .product(name: "TorrentMetainfo", package: swarmdeploy),
                .product(name: "Tracker", package: swarmdeploy),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// One target per concern. C is reached only through the two system-library
// targets, and each is imported by exactly one Swift module (CZlib by Archive,
// CLibSSH2 by SSH). The peer executable links neither libssh2 nor anything
// that needs a Swift toolchain on the target host (see its linker settings).
let package = Package(
    name: "swarmdeploy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swarmdeploy", targets: ["swarmdeploy"]),
        .executable(name: "swarmdeploy-peer", targets: ["swarmdeploy-peer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"]), .brew(["libssh2"])]
        ),

        // Protocol-free building blocks.
        .target(name: "Bencode"),
        .target(
            name: "TorrentMetainfo",
            dependencies: ["Bencode", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "Archive", dependencies: ["CZlib"]),

        // BitTorrent: the wire protocol (codec only), the tracker, and the swarm engine.
        .target(
            name: "PeerWire",
            dependencies: ["TorrentMetainfo", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "Tracker",
            dependencies: [
                "Bencode", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Swarm",
            dependencies: [
                "PeerWire", "TorrentMetainfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["INVARIANTS.md"]
        ),
        .target(name: "SSH", dependencies: ["CLibSSH2"]),
        .target(
            name: "Deploy",
            dependencies: [
                "Archive", "TorrentMetainfo", "Bencode",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Executables: thin shells over the modules above.
        .executableTarget(
            name: "swarmdeploy",
            dependencies: [
                "Deploy", "Archive", "TorrentMetainfo", "SSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "swarmdeploy-peer",
            dependencies: [
                "Archive", "TorrentMetainfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests.
        .testTarget(name: "BencodeTests", dependencies: ["Bencode"]),
        .testTarget(name: "TorrentMetainfoTests", dependencies: ["TorrentMetainfo", "Bencode"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive"]),
        .testTarget(
            name: "PeerWireTests",
            dependencies: [
                "PeerWire", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TrackerTests",
            dependencies: [
                "Tracker", "Bencode", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SwarmTests",
            dependencies: [
                "Swarm", "PeerWire", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "DeployTests", dependencies: ["Deploy", "Archive", "TorrentMetainfo"]),
        .testTarget(name: "SSHTests", dependencies: ["SSH"]),
        .testTarget(
            name: "CLITests",
            dependencies: ["swarmdeploy", "swarmdeploy-peer", "TorrentMetainfo", "Archive"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

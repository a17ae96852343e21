// swift-tools-version:6.0
import PackageDescription

// One target per concern. C is reached only through the system-library targets,
// and each is imported by exactly one Swift module (CZlib and CZstd by Archive,
// CLibSSH2 by SSH). The peer executable links neither libssh2 nor anything
// that needs a Swift toolchain on the target host (see its linker settings).
let package = Package(
    name: "swarmdeploy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swarmdeploy", targets: ["swarmdeploy"]),
        .executable(name: "swarmdeploy-peer", targets: ["swarmdeploy-peer"]),
        // Libraries for the fuzz package in Fuzz/, which reaches these modules through them.
        .library(name: "Bencode", targets: ["Bencode"]),
        .library(name: "TorrentMetainfo", targets: ["TorrentMetainfo"]),
        .library(name: "Archive", targets: ["Archive"]),
        .library(name: "PeerWire", targets: ["PeerWire"]),
        .library(name: "Tracker", targets: ["Tracker"]),
        .library(name: "DeployConfiguration", targets: ["DeployConfiguration"]),
        .library(name: "DeployProtocol", targets: ["DeployProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
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
        .target(name: "Archive", dependencies: ["CZlib", "CZstd", .product(name: "Crypto", package: "swift-crypto")]),

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
                "PeerWire", "TorrentMetainfo", "Tracker",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // TLS for https:// web seeds (BoringSSL, linked into the static peer too).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["INVARIANTS.md"]
        ),
        .target(name: "SSH", dependencies: ["CLibSSH2"]),
        // The swarm's decision code played out on a model of the network, at any scale.
        .target(name: "SwarmSimulation", dependencies: ["Swarm", "Tracker", "TorrentMetainfo"]),

        // Push: what the controller and a host's peer say to each other, and what the peer
        // does on the host's file system.
        .target(name: "DeployProtocol", dependencies: ["Bencode"]),
        .target(name: "CRenameExchange"),
        .target(name: "Installer", dependencies: ["CRenameExchange"]),
        // A host's part of a push, as a library the peer executable runs and tests call.
        .target(
            name: "PeerAgent",
            dependencies: [
                "Archive", "DeployProtocol", "Installer", "Swarm", "TorrentMetainfo", "Tracker",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The controller: settings as parsed from files and flags (pure), the tarball and its
        // torrent, many hosts over SSH, and the push that ties them together.
        .target(
            name: "DeployConfiguration",
            dependencies: ["Archive", "DeployProtocol", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "PayloadPacking", dependencies: ["Archive", "TorrentMetainfo"]),
        // Many hosts over SSH: hosts file plus settings in, sessions and progress out.
        .target(name: "Fleet", dependencies: ["DeployConfiguration", "SSH"]),
        .target(
            name: "Push",
            dependencies: [
                "Archive", "DeployConfiguration", "DeployProtocol", "Fleet", "PayloadPacking", "SSH", "Swarm",
                "Tracker", "TorrentMetainfo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Executables: thin shells over the modules above.
        .executableTarget(
            name: "swarmdeploy",
            dependencies: [
                "Archive", "DeployConfiguration", "DeployProtocol", "Fleet", "PayloadPacking", "Push", "SSH", "Swarm",
                "SwarmSimulation", "TorrentMetainfo", "Tracker",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "swarmdeploy-peer",
            dependencies: [
                "Archive", "DeployProtocol", "PeerAgent", "Swarm", "TorrentMetainfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests, and helpers they share. Only TestSupport runs child processes through
        // swift-subprocess; test targets reach it through TestSupport.
        .target(
            name: "TestSupport",
            dependencies: [
                "SSH", "SwarmSimulation",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "BencodeTests", dependencies: ["TestSupport", "Bencode"]),
        .testTarget(name: "TorrentMetainfoTests", dependencies: ["TestSupport", "TorrentMetainfo", "Bencode"]),
        .testTarget(name: "ArchiveTests", dependencies: ["TestSupport", "Archive"]),
        .testTarget(
            name: "PeerWireTests",
            dependencies: [
                "TestSupport", "PeerWire", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TrackerTests",
            dependencies: [
                "TestSupport", "Tracker", "Bencode", "TorrentMetainfo", "PeerWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SwarmTests",
            dependencies: [
                "TestSupport", "Swarm", "PeerWire", "TorrentMetainfo",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "SwarmSimulationTests", dependencies: ["TestSupport", "SwarmSimulation", "Swarm"]),
        .testTarget(name: "DeployConfigurationTests", dependencies: ["TestSupport", "DeployConfiguration", "Archive"]),
        .testTarget(
            name: "PushTests",
            dependencies: ["TestSupport", "Push", "Archive", "DeployConfiguration", "DeployProtocol", "Fleet", "Swarm", "TorrentMetainfo"]
        ),
        .testTarget(name: "DeployProtocolTests", dependencies: ["DeployProtocol"]),
        .testTarget(name: "InstallerTests", dependencies: ["TestSupport", "Installer"]),
        .testTarget(
            name: "PeerAgentTests",
            dependencies: [
                "TestSupport", "PeerAgent", "Installer", "DeployProtocol", "Swarm", "Push", "Archive", "PayloadPacking",
                "TorrentMetainfo",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SSHTests", dependencies: ["TestSupport", "SSH"]),
        .testTarget(name: "FleetTests", dependencies: ["TestSupport", "Fleet", "DeployConfiguration", "SSH"]),
        .testTarget(
            name: "CLITests",
            // The executables are built before the tests that run them.
            dependencies: ["TestSupport", "swarmdeploy", "swarmdeploy-peer", "TorrentMetainfo"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

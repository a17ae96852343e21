import Foundation
import Testing

import Archive

/// Not a test: prints scan+pack throughput on ~200 MB of generated data (half
/// random, half text). Run with SWARMDEPLOY_ARCHIVE_BENCH=1
/// `swift test -c release --filter ThroughputMeasurement`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SWARMDEPLOY_ARCHIVE_BENCH"] == "1"))
struct ThroughputMeasurement {
    @Test func scanAndPack() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("data")
            let fileSize = 4 << 20
            let random = randomBytes(fileSize, seed: 42)
            let words = ["deploy", "server", "torrent", "piece", "config", "release", "build", "log", "error", "ok"]
            var generator = SplitMix(seed: 9)
            var text: [UInt8] = []
            while text.count < fileSize {
                text += Array("\(words[Int(generator.next() % 10)]) \(generator.next() % 100_000)\n".utf8)
            }
            text = Array(text.prefix(fileSize))
            for index in 0..<25 {
                var unique = random
                unique[0] = UInt8(index)
                try writeFile(root + "/random/\(index).bin", unique)
                try writeFile(root + "/text/\(index).txt", text)
            }

            for level in [nil, 1, 6] as [Int?] {
                let start = ContinuousClock.now
                let manifest = try TreeScanner.scan(root: root)
                let written = try ArchivePacker.pack(manifest, options: PackOptions(gzipLevel: level)) { _ in }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                let megabytes = Double(manifest.tarLength) / 1_000_000
                print(
                    "ThroughputMeasurement gzip=\(level.map(String.init) ?? "none"): \(String(format: "%.0f", megabytes)) MB tar"
                        + " -> \(String(format: "%.0f", Double(written) / 1_000_000)) MB in \(String(format: "%.2f", seconds)) s"
                        + " = \(String(format: "%.0f", megabytes / seconds)) MB/s")
            }
        }
    }
}

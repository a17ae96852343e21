import Testing
import TestSupport

@testable import Archive

@Suite struct TarReaderTests {
    /// Events flattened to comparable values: entries and their reassembled data.
    private func read(_ bytes: [UInt8], chunk: Int) throws -> [(TarEntryHeader, [UInt8])] {
        var reader = TarReader(limits: .init(maxEntrySize: 1 << 30))
        var entries: [(TarEntryHeader, [UInt8])] = []
        var ended = false
        try bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(offset + chunk, all.count)
                try reader.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { event in
                    switch event {
                    case .entry(let header): entries.append((header, []))
                    case .data(let data): entries[entries.count - 1].1 += data
                    case .entryEnd: break
                    case .endOfArchive: ended = true
                    }
                }
                offset = end
            }
        }
        try reader.finish()
        #expect(ended)
        return entries
    }

    @Test func byteByByteMatchesBulk() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let manifest = try TreeScanner.scan(root: root)
            let archive = try packBytes(manifest)
            let bulk = try read(archive, chunk: archive.count)
            let small = try read(archive, chunk: 1)
            let odd = try read(archive, chunk: 4099)
            #expect(bulk.map(\.0) == small.map(\.0))
            #expect(bulk.map(\.1) == small.map(\.1))
            #expect(bulk.map(\.0) == odd.map(\.0))
            #expect(bulk.map(\.0.path) == manifest.entries.map { $0.kind == .directory ? $0.path + "/" : $0.path })
            for (header, entry) in zip(bulk.map(\.0), manifest.entries) {
                #expect(header.mode == entry.mode)
                #expect(header.mtime == entry.mtime)
                #expect(header.size == entry.size)
            }
        }
    }

    @Test func gnuLongNamesAndGlobalHeaders() throws {
        var tar = RawTar()
        let longName = String(repeating: "n", count: 150) + "/file"
        tar.header("././@LongLink", typeflag: "L", size: longName.utf8.count + 1, magic: "ustar  \u{0}")
        tar.data(Array(longName.utf8) + [0])
        tar.header(String(longName.prefix(100)), size: 2, magic: "ustar  \u{0}")
        tar.data(Array("ok".utf8))
        tar.end()
        let entries = try read(tar.bytes, chunk: 7)
        #expect(entries.map(\.0.path) == [longName])
        #expect(entries.first?.1 == Array("ok".utf8))
    }

    /// A size near 2^63 would overflow padding it to whole blocks: it is refused as corrupt,
    /// whatever limit the caller allows, never a trap.
    @Test(arguments: ["9223372036854775807", "9223372036854775300", "4611686018427387905"])
    func impossiblyLargePaxSizesAreRefused(_ size: String) {
        var tar = RawTar()
        tar.pax([("size", size)])
        tar.file("huge", "x")
        tar.end()
        var reader = TarReader(limits: .init(maxEntrySize: .max))
        let error = #expect(throws: ArchiveError.self) {
            try tar.bytes.withUnsafeBytes { try reader.feed($0) { _ in } }
        }
        #expect(error?.code == .malformedArchive)
        #expect(error?.description.contains("which no file has") == true, "\(String(describing: error))")
    }

    @Test func paxTimesWithFractionsRoundDown() {
        #expect(PaxRecords.seconds("1690000000.999") == 1_690_000_000)
        #expect(PaxRecords.seconds("-1.5") == -2)
        #expect(PaxRecords.seconds("12") == 12)
        #expect(PaxRecords.seconds("1x") == nil)
        #expect(PaxRecords.integer("-3") == nil)
    }

    @Test func malformedPaxRecordsAreRejected() {
        for payload in ["5 a=b\n", "99 path=x\n", "6 path\n", "x path=y\n", "7 =abc\n"] {
            #expect(throws: ArchiveError.self, "\(payload)") { try PaxRecords.parse(Array(payload.utf8), offset: 0) }
        }
        #expect(throws: Never.self) { try PaxRecords.parse(Array("6 a=b\n".utf8), offset: 0) }
    }
}

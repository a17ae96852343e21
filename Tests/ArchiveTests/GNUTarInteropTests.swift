import Foundation
import Testing

@testable import Archive

/// Our archives read by GNU tar, and GNU tar's archives read by us.
@Suite struct GNUTarInteropTests {
    @Test(arguments: [false, true])
    func gnuTarExtractsOurArchive(gzip: Bool) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("tree")
            try makeSampleTree(at: root)
            let archivePath = tmp.sub(gzip ? "ours.tar.gz" : "ours.tar")
            try writeBytes(archivePath, packBytes(TreeScanner.scan(root: root), gzipLevel: gzip ? 6 : nil))

            try makeDirectory(tmp.sub("out"))
            // -p: restore modes exactly rather than through the umask.
            let extract = try run(["tar", gzip ? "-xzpf" : "-xpf", archivePath, "-C", tmp.sub("out")])
            #expect(extract.status == 0)
            #expect(extract.stderr == "")
            expectSameTree(try snapshot(root), try snapshot(tmp.sub("out")))

            let list = try run(["tar", gzip ? "-tvzf" : "-tvf", archivePath])
            #expect(list.status == 0)
            #expect(list.stderr == "")
            let listing = String(decoding: list.stdout, as: UTF8.self)
            #expect(listing.contains(path300))
            #expect(listing.contains("long-link -> \(longLinkTarget)"))
            #expect(!listing.contains("PaxHeaders"))
        }
    }

    @Test(arguments: ["gnu", "pax", "ustar"])
    func weExtractGNUTarArchives(format: String) throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.sub("tree")
            try makeSampleTree(at: root, ustarOnly: format == "ustar")
            // A hard link as GNU tar records it (typeflag '1' to an earlier file).
            #expect(link(root + "/docs/readme.txt", root + "/docs/readme-hardlink.txt") == 0)
            try stampTimes(root)
            let archivePath = tmp.sub("gnu.tar")
            let create = try run(["tar", "--format=\(format)", "--sort=name", "-cf", archivePath, "-C", root, "."])
            #expect(create.status == 0, "\(create.stderr)")

            let summary = try SafeExtractor(destination: tmp.sub("out"), limits: ExtractionLimits())
                .extract(archiveAt: archivePath)
            expectSameTree(try snapshot(root), try snapshot(tmp.sub("out")))
            #expect(summary.symlinks == (format == "ustar" ? 2 : 3))

            // And gzipped by GNU tar's gzip.
            let gzipPath = tmp.sub("gnu.tar.gz")
            let createGzip = try run(["tar", "--format=\(format)", "-czf", gzipPath, "-C", root, "."])
            #expect(createGzip.status == 0)
            _ = try SafeExtractor(destination: tmp.sub("out-gz"), limits: ExtractionLimits()).extract(archiveAt: gzipPath)
            expectSameTree(try snapshot(root), try snapshot(tmp.sub("out-gz")))
        }
    }
}

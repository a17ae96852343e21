import Foundation
import Testing
import TestSupport

@testable import Archive

/// Our archives read by GNU tar, and GNU tar's archives read by us.
@Suite struct GNUTarInteropTests {
    @Test(arguments: [false, true])
    func gnuTarExtractsOurArchive(gzip: Bool) async throws {
        try await withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let archivePath = tmp.path(gzip ? "ours.tar.gz" : "ours.tar")
            try writeBytes(archivePath, packBytes(TreeScanner.scan(root: root), compression: gzip ? .gzip(level: 6) : .none))

            try makeDirectory(tmp.path("out"))
            // -p: restore modes exactly rather than through the umask.
            let extract = try await ProcessRunner.run("tar", [gzip ? "-xzpf" : "-xpf", archivePath, "-C", tmp.path("out")])
            #expect(extract.status == 0)
            #expect(extract.stderr == "")
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))

            let list = try await ProcessRunner.run("tar", [gzip ? "-tvzf" : "-tvf", archivePath])
            #expect(list.status == 0)
            #expect(list.stderr == "")
            let listing = list.stdout
            #expect(listing.contains(path300))
            #expect(listing.contains("long-link -> \(longLinkTarget)"))
            #expect(!listing.contains("PaxHeaders"))
        }
    }

    @Test(arguments: ["gnu", "pax", "ustar"])
    func weExtractGNUTarArchives(format: String) async throws {
        try await withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root, ustarOnly: format == "ustar")
            // A hard link as GNU tar records it (typeflag '1' to an earlier file).
            #expect(link(root + "/docs/readme.txt", root + "/docs/readme-hardlink.txt") == 0)
            try stampTimes(root)
            let archivePath = tmp.path("gnu.tar")
            let create = try await ProcessRunner.run("tar", ["--format=\(format)", "--sort=name", "-cf", archivePath, "-C", root, "."])
            #expect(create.status == 0, "\(create.stderr)")

            let summary = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits())
                .extract(archiveAt: archivePath)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out")))
            #expect(summary.symlinks == (format == "ustar" ? 2 : 3))

            // And gzipped by GNU tar's gzip.
            let gzipPath = tmp.path("gnu.tar.gz")
            let createGzip = try await ProcessRunner.run("tar", ["--format=\(format)", "-czf", gzipPath, "-C", root, "."])
            #expect(createGzip.status == 0)
            _ = try SafeExtractor(destination: tmp.path("out-gz"), limits: ExtractionLimits()).extract(archiveAt: gzipPath)
            expectSameTree(try snapshot(root), try snapshot(tmp.path("out-gz")))
        }
    }
}

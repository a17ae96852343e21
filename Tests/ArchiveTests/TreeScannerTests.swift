import Foundation
import Testing
import TestSupport

@testable import Archive

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TreeScannerTests {
    @Test func entriesAreSortedByPathBytesWithKindsAndMetadata() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeSampleTree(at: root)
            let manifest = try TreeScanner.scan(root: root)
            let paths = manifest.entries.map(\.path)

            #expect(paths == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(Set(paths) == Set(FileManager.default.subpaths(atPath: root) ?? []))
            // Parents precede their contents.
            for (index, path) in paths.enumerated() where path.contains("/") {
                let parent = String(path[..<path.lastIndex(of: "/")!])
                #expect(paths.firstIndex(of: parent).map { $0 < index } == true, "\(parent) before \(path)")
            }

            let byPath = Dictionary(uniqueKeysWithValues: manifest.entries.map { ($0.path, $0) })
            #expect(byPath["bin/run.sh"]?.kind == .file)
            #expect(byPath["bin/run.sh"]?.mode == 0o755)
            #expect(byPath["docs/private.txt"]?.mode == 0o600)
            #expect(byPath["data/empty-dir"]?.kind == .directory)
            #expect(byPath["data/empty-dir"]?.mode == 0o700)
            #expect(byPath["data/blob.bin"]?.size == Int64(3 << 20 + 123))
            #expect(byPath["link-to-readme"]?.kind == .symlink(target: "docs/readme.txt"))
            #expect(byPath["dangling"]?.kind == .symlink(target: "docs/not-there"))
            #expect(byPath["long-link"]?.kind == .symlink(target: longLinkTarget))
            #expect(byPath["docs/ünïcødé-名前.txt"] != nil)
            #expect(byPath["bin"]?.mtime == Int64(try snapshot(root)["bin"]!.mtime))
            #expect(byPath["bin/run.sh"]?.uid == getuid())

            let files = manifest.entries.filter { $0.kind == .file }
            #expect(manifest.fileCount == files.count)
            #expect(manifest.directoryCount == manifest.entries.filter { $0.kind == .directory }.count)
            #expect(manifest.symlinkCount == 3)
            #expect(manifest.payloadBytes == files.reduce(0) { $0 + $1.size })
        }
    }

    @Test func fifoIsRefusedWithItsPath() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeDirectory(root)
            try writeFile(root + "/ok.txt", "fine")
            #expect(mkfifo(root + "/pipe", 0o644) == 0)
            let error = try #require(throws: ArchiveError.self) { try TreeScanner.scan(root: root) }
            #expect(error.code == .unsupportedFileType)
            #expect(error.path == root + "/pipe")
            #expect(error.description.contains("FIFO"))
        }
    }

    @Test func nonUTF8NameIsRefused() throws {
        try withTemporaryDirectory { tmp in
            let root = tmp.path("tree")
            try makeDirectory(root)
            let name: [CChar] = Array((root + "/bad-").utf8CString.dropLast()) + [CChar(bitPattern: 0xff), 0]
            let descriptor = open(name, O_CREAT | O_WRONLY, 0o644)
            #expect(descriptor >= 0)
            close(descriptor)
            let error = try #require(throws: ArchiveError.self) { try TreeScanner.scan(root: root) }
            #expect(error.code == .unsupportedFileType)
            #expect(error.description.contains("UTF-8"))
        }
    }

    @Test func rootMustBeADirectory() throws {
        try withTemporaryDirectory { tmp in
            try writeFile(tmp.path("file"), "x")
            #expect(throws: ArchiveError.self) { try TreeScanner.scan(root: tmp.path("file")) }
            let missing = try #require(throws: ArchiveError.self) { try TreeScanner.scan(root: tmp.path("missing")) }
            #expect(missing.code == .io)
        }
    }

    @Test func manifestRejectsUnsortedOrUnsafeEntries() {
        let file = { (path: String) in ArchiveEntry(path: path, kind: .file, mode: 0o644, mtime: 0, uid: 0, gid: 0, size: 0) }
        #expect(throws: ArchiveError.self) { try ArchiveManifest(root: "/r", entries: [file("b"), file("a")]) }
        #expect(throws: ArchiveError.self) { try ArchiveManifest(root: "/r", entries: [file("a"), file("a")]) }
        #expect(throws: ArchiveError.self) { try ArchiveManifest(root: "/r", entries: [file("../x")]) }
        #expect(throws: ArchiveError.self) { try ArchiveManifest(root: "/r", entries: [file("/x")]) }
        #expect(throws: ArchiveError.self) { try ArchiveManifest(root: "/r", entries: [file("a//b")]) }
        #expect(throws: Never.self) { try ArchiveManifest(root: "/r", entries: [file("a"), file("a-b"), file("a/b")]) }
    }
}

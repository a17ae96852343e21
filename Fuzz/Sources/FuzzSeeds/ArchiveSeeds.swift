import Archive

#if canImport(Glibc)
import Glibc
#endif

extension Seeds {
    /// A small tree packed by ArchivePacker: plain for FuzzTar, gzipped for both.
    func archives() throws {
        var template = Array("/tmp/fuzz-seeds-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SeedError(description: "cannot make a temporary directory") }
        let root = String(cString: made)
        defer { removeTree(root) }

        mkdir(root + "/bin", 0o755)
        mkdir(root + "/empty", 0o700)
        try writeFile(root + "/bin/run.sh", Array("#!/bin/sh\necho hello\n".utf8))
        chmod(root + "/bin/run.sh", 0o4755)
        try writeFile(root + "/readme.txt", Array("Read me.\n".utf8))
        let deep = root + "/" + String(repeating: "long-directory-name/", count: 6)
        var path = root
        for component in deep.dropFirst(root.count + 1).split(separator: "/") {
            path += "/" + component
            mkdir(path, 0o755)
        }
        // Over 100 bytes: the writer adds a pax header for it.
        try writeFile(path + "/file-with-a-long-name.txt", Array("deep\n".utf8))
        symlink("readme.txt", root + "/link")
        symlink("bin/../readme.txt", root + "/bin-link")

        // One fixed time on everything, so the seeds come out the same on every run.
        let fixed = timespec(tv_sec: 1_700_000_000, tv_nsec: 0)
        for entry in try TreeScanner.scan(root: root).entries {
            utimensat(AT_FDCWD, root + "/" + entry.path, [fixed, fixed], AT_SYMLINK_NOFOLLOW)
        }
        let manifest = try TreeScanner.scan(root: root)
        try write("FuzzTar", "packed.tar", try pack(manifest, .none))
        let gzipped = try pack(manifest, .gzip(level: 6))
        try write("FuzzTar", "packed.tar.gz", gzipped)
        try write("FuzzGzip", "packed.tar.gz", gzipped)
        try write("FuzzTar", "packed.tar.zst", try pack(manifest, .zstd(level: 3)))
        // The index a peer reads, plain and with a padded (piece-aligned) header, with its
        // files' digests; each also decompressed, which the fuzzer compresses before decoding.
        let aligned = try manifest.aligningFiles(toPieceLength: 16 << 10, maxPaddingShare: 1)
        for (name, index) in [
            ("index", try Self.index(of: manifest).encoded()),
            ("aligned-index", try Self.index(of: aligned).encoded()),
        ] {
            try write("FuzzArchiveIndex", name + ".gz", index)
            try write("FuzzArchiveIndex", name, try gunzip(index))
        }

        // Two gzip members back to back, as `cat a.gz b.gz` makes.
        let text = try gzip(Array("hello, ".utf8), level: 9) + gzip(Array("world\n".utf8), level: 1)
        try write("FuzzGzip", "two-members.gz", text)
    }

    /// The manifest's index with every file's digest, as a push makes it.
    private static func index(of manifest: ArchiveManifest) throws -> ArchiveIndex {
        var digests = ArchiveFileDigests(manifest)
        try TarWriter.write(manifest) { digests.update($0) }
        return ArchiveIndex(manifest: manifest, digests: digests.digests)
    }

    private func pack(_ manifest: ArchiveManifest, _ compression: ArchiveCompression) throws -> [UInt8] {
        var bytes: [UInt8] = []
        _ = try ArchivePacker.pack(manifest, options: PackOptions(compression: compression)) { bytes += $0 }
        return bytes
    }

    private func gunzip(_ input: [UInt8]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let decompressor = try GzipDecompressor(maxOutputBytes: 1 << 20)
        try input.withUnsafeBytes { try decompressor.decompress($0) { bytes += $0 } }
        try decompressor.finish { bytes += $0 }
        return bytes
    }

    private func gzip(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let compressor = try GzipCompressor(level: level)
        try input.withUnsafeBytes { try compressor.compress($0) { bytes += $0 } }
        try compressor.finish { bytes += $0 }
        return bytes
    }

    private func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            unlink(path)
            return
        }
        if let stream = opendir(path) {
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(stream)
            for name in names { removeTree(path + "/" + name) }
        }
        rmdir(path)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ExtractionSession {
    /// Symlink hops allowed while resolving a target, as the kernel's ELOOP limit.
    static let maxSymlinkHops = 40
    /// PATH_MAX less the terminating NUL.
    static let maxSymlinkTargetBytes = 4095

    func absolutePath(_ relative: String) -> String {
        destination + "/" + relative
    }

    /// The destination must not exist (it is created) or be an empty directory.
    func prepareDestination() throws {
        var info = stat()
        if stat(destination, &info) != 0 {
            guard errno == ENOENT else { throw POSIX.error("stat", path: destination) }
            guard mkdir(destination, 0o755) == 0 else { throw POSIX.error("mkdir", path: destination) }
            return
        }
        guard POSIX.fileType(info) == S_IFDIR else {
            throw ArchiveError(.destinationNotEmpty, path: destination, "exists and is not a directory; choose a new destination")
        }
        guard let stream = opendir(destination) else { throw POSIX.error("opendir", path: destination) }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let isDotOrDotDot = withUnsafeBytes(of: &entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDotOrDotDot {
                throw ArchiveError(
                    .destinationNotEmpty, path: destination, "is not empty; extract into a new or empty directory")
            }
        }
    }

    /// Splits an archive path into components, dropping "." and empty ones, and
    /// refuses absolute paths and "..".
    func normalizedComponents(_ raw: String, header: TarEntryHeader, what: String = "path") throws -> [Substring] {
        if raw.hasPrefix("/") {
            throw ArchiveError.unsafe(header.path, offset: header.offset, "\(what) '\(raw)' is absolute")
        }
        let components = raw.split(separator: "/").filter { $0 != "." }
        if components.contains("..") {
            throw ArchiveError.unsafe(header.path, offset: header.offset, "\(what) '\(raw)' contains a '..' component")
        }
        return components
    }

    /// Makes every missing parent directory, refusing to pass through a symlink or file.
    func createParents(of components: [Substring], header: TarEntryHeader) throws {
        var path = ""
        for component in components.dropLast() {
            path += path.isEmpty ? String(component) : "/" + component
            switch created[path] {
            case .directory:
                continue
            case .symlink(let target):
                throw ArchiveError.unsafe(
                    header.path, offset: header.offset,
                    "it would be written through the symlink '\(path)' -> '\(target)' from the same archive")
            case .file:
                throw ArchiveError.unsafe(header.path, offset: header.offset, "its parent '\(path)' is a file in this archive")
            case nil:
                try makeDirectory(path, mode: 0o755)
                created[path] = .directory
            }
        }
    }

    func makeDirectory(_ path: String, mode: mode_t) throws {
        let absolute = absolutePath(path)
        guard mkdir(absolute, mode) == 0 else { throw POSIX.error("mkdir", path: absolute) }
    }

    /// Resolves `target` as the kernel would from the link's directory, following the
    /// symlinks known so far, and refuses it if it ever climbs above the destination.
    func checkSymlinkTarget(_ target: String, of linkComponents: [Substring], header: TarEntryHeader) throws {
        func escape(_ why: String) -> ArchiveError {
            ArchiveError.unsafe(header.path, offset: header.offset, "symlink target '\(target)' \(why)")
        }
        if target.isEmpty { throw escape("is empty") }
        // The kernel refuses longer targets anyway; the cap also bounds the resolution work.
        if target.utf8.count > Self.maxSymlinkTargetBytes { throw escape("is longer than \(Self.maxSymlinkTargetBytes) bytes") }
        if target.hasPrefix("/") { throw escape("is absolute") }
        var resolved: [Substring] = Array(linkComponents.dropLast())
        var pending: [Substring] = target.split(separator: "/").reversed()
        var hops = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if resolved.isEmpty { throw escape("points outside the destination") }
                resolved.removeLast()
                continue
            }
            resolved.append(component)
            if case .symlink(let next) = created[resolved.joined(separator: "/")] {
                hops += 1
                if hops > Self.maxSymlinkHops { throw escape("resolves through too many symlinks") }
                if next.hasPrefix("/") { throw escape("resolves through an absolute symlink") }
                resolved.removeLast()
                pending.append(contentsOf: next.split(separator: "/").reversed())
            }
        }
    }
}

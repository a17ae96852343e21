import CRenameExchange
import Glibc

/// The release layout of a destination, as Capistrano has it:
///
///     DEST/releases/20261206T133501Z-1a2b3c4d/   one directory per release, named by its id
///     DEST/current -> releases/20261206T133501Z-1a2b3c4d
///
/// Switching releases replaces the `current` link in one rename (a new link is made beside it
/// and renamed over it), so readers of `DEST/current` see the old release or the new one,
/// never neither. Ids sort by time, so "the previous release" is the newest one older than
/// the current. Staging files live in `releases/` under names starting with `.`, which no
/// release has.
public struct ReleaseTree: Sendable, Equatable {
    public let root: String
    public var releases: String { root + "/releases" }
    public var current: String { root + "/current" }

    /// The current release, the one before it, and every release on the host (oldest first).
    public struct Status: Sendable, Equatable {
        public var current: String?
        public var previous: String?
        public var all: [String]
    }

    /// `root` is the destination as `InstallPaths` normalizes it.
    public init(root: String) {
        self.root = root
    }

    public func path(of release: String) -> String { releases + "/" + release }

    /// Staging paths for one deploy of `release` (`id` random per deploy), inside `releases/`.
    public func staging(release: String, id: String) throws(InstallError) -> InstallPaths {
        try InstallPaths(destination: path(of: release), id: id)
    }

    /// Whether `root` holds this layout (a `releases` directory or a `current` link).
    public var exists: Bool {
        var info = stat()
        return lstat(current, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
            || stat(releases, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Refuses a destination that holds something else — a tree installed with the sibling
    /// layout, say — rather than mixing releases into it. An absent or empty one is fine.
    public func checkUsable() throws(InstallError) {
        guard FileTree.exists(root), !exists else { return }
        guard (try? FileTree.entries(of: root))?.isEmpty == true else {
            throw InstallError("""
                \(root) is not empty and has no releases/ or current: it holds a tree installed another way \
                (with the sibling layout, say); move it away or push to another destination with --layout releases
                """)
        }
    }

    /// What the host has: the release `current` points to (nil without the link), the
    /// previous one, and all of them.
    public func status() throws(InstallError) -> Status {
        let all = FileTree.exists(releases)
            ? try FileTree.entries(of: releases).filter { !$0.hasPrefix(".") }.sorted() : []
        let current = currentRelease()
        return Status(current: current, previous: previous(before: current, among: all), all: all)
    }

    /// The release `current` links to, when it is one of ours.
    public func currentRelease() -> String? {
        guard let target = Self.readLink(current) else { return nil }
        let prefix = "releases/"
        guard target.hasPrefix(prefix) else { return nil }
        let id = String(target.dropFirst(prefix.count))
        return id.isEmpty || id.contains("/") ? nil : id
    }

    /// The newest release older than `current` (ids sort by time); without a current one, none.
    func previous(before current: String?, among all: [String]) -> String? {
        guard let current else { return nil }
        return all.last { $0 < current }
    }

    /// Moves a staged tree to `releases/<release>`, replacing a release of that id if there
    /// is one (the same content pushed twice within a second): atomically when it is in use.
    public func place(_ staged: String, as release: String) throws(InstallError) {
        let target = path(of: release)
        if FileTree.exists(target) {
            if swarmdeploy_rename_exchange(staged, target) == 0 {
                try FileTree.remove(staged)
                return
            }
            try FileTree.remove(target)
        }
        try Self.rename(staged, to: target)
    }

    /// Points `current` at `release` (nil: removes the link, as before a first release).
    /// Returns the release it pointed at before.
    @discardableResult
    public func activate(_ release: String?) throws(InstallError) -> String? {
        let before = currentRelease()
        guard let release else {
            if unlink(current) != 0 && errno != ENOENT {
                throw InstallError("cannot remove the link \(current): \(FileTree.systemMessage())")
            }
            return before
        }
        guard FileTree.exists(path(of: release)) else {
            throw InstallError("release \(release) is not on this host (no \(path(of: release)))")
        }
        let fresh = root + "/.current.swarmdeploy-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard symlink("releases/" + release, fresh) == 0 else {
            throw InstallError("cannot create the link \(fresh): \(FileTree.systemMessage())")
        }
        do throws(InstallError) {
            try Self.rename(fresh, to: current)
        } catch {
            unlink(fresh)
            throw error
        }
        return before
    }

    /// Removes the oldest releases so that `keep` remain: only releases older than the
    /// previous one, never the current or previous (nor one rolled back from, newer than the
    /// current). Returns the ids removed.
    @discardableResult
    public func prune(keep: Int) throws(InstallError) -> [String] {
        let status = try status()
        let floor = status.previous ?? status.current
        var removable = floor.map { floor in status.all.filter { $0 < floor } } ?? status.all
        var removed: [String] = []
        var remaining = status.all.count
        while remaining > keep, !removable.isEmpty {
            let oldest = removable.removeFirst()
            try FileTree.remove(path(of: oldest))
            removed.append(oldest)
            remaining -= 1
        }
        return removed
    }

    /// Removes what interrupted deploys left in `releases/` (staging tarballs and trees, and
    /// links made beside `current`). Only under the destination's lock. Returns the paths removed.
    @discardableResult
    public func removeLeftovers() throws(InstallError) -> [String] {
        var removed: [String] = []
        if FileTree.exists(releases) {
            for name in try FileTree.entries(of: releases).sorted() where name.hasPrefix(".") && name.contains(".swarmdeploy-") {
                try FileTree.remove(releases + "/" + name)
                removed.append(releases + "/" + name)
            }
        }
        if FileTree.exists(root) {
            for name in try FileTree.entries(of: root).sorted() where name.hasPrefix(".current.swarmdeploy-") {
                try FileTree.remove(root + "/" + name)
                removed.append(root + "/" + name)
            }
        }
        return removed
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func rename(_ from: String, to: String) throws(InstallError) {
        guard Glibc.rename(from, to) == 0 else {
            throw InstallError("cannot rename \(from) to \(to): \(FileTree.systemMessage())")
        }
    }
}

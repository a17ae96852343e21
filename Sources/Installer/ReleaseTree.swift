import CRenameExchange
import Glibc

/// The release layout of a destination, as Capistrano has it:
///
///     DEST/releases/20261206T133501Z-1a2b3c4d/   one directory per release, named by its id
///     DEST/current -> releases/20261206T133501Z-1a2b3c4d
///     DEST/.swarmdeploy.history                  the releases switched to, oldest first
///
/// Switching releases replaces the `current` link in one rename (a new link is made beside it
/// and renamed over it), so readers of `DEST/current` see the old release or the new one,
/// never neither. "The previous release" is the one in use before the current one, from the
/// history (ids sort by time only as a fallback for a destination without one). Staging files
/// live in `releases/` under names starting with `.`, which no release has.
public struct ReleaseTree: Sendable, Equatable {
    public let root: String
    public var releases: String { root + "/releases" }
    public var current: String { root + "/current" }
    var history: String { root + "/.swarmdeploy.history" }
    /// The most switches the history remembers.
    static let historyLimit = 200

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

    /// Whether `root` holds this layout: `current` links to one of its releases, or nothing but
    /// `releases/` (and `current`, and dot files) is there. A tree that merely contains a
    /// directory named `releases` is not taken for it.
    public var exists: Bool {
        if currentRelease() != nil { return true }
        var info = stat()
        guard stat(releases, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
            let names = try? FileTree.entries(of: root)
        else { return false }
        return names.allSatisfy { $0.hasPrefix(".") || $0 == "releases" || $0 == "current" }
    }

    /// Refuses a destination that holds something else — a tree installed with the sibling
    /// layout, say — rather than mixing releases into it. An absent or empty one is fine.
    public func checkUsable() throws(InstallError) {
        guard FileTree.exists(root), !exists else { return }
        guard try FileTree.entries(of: root).isEmpty else {
            throw InstallError("""
                \(root) is not empty and holds no releases/ with a current link: it holds a tree installed another way \
                (with the sibling layout, say); move it away or push to another destination with --layout releases
                """)
        }
    }

    /// What the host has: the release `current` points to (nil without the link), the one in
    /// use before it, and all of them.
    public func status() throws(InstallError) -> Status {
        let all = FileTree.exists(releases)
            ? try FileTree.entries(of: releases).filter { !$0.hasPrefix(".") }.sorted() : []
        let current = currentRelease()
        return Status(current: current, previous: previous(before: current, among: all), all: all)
    }

    /// The release `current` links to, when it is one of ours: `releases/ID`, or an absolute
    /// link to `DEST/releases/ID` (as Capistrano makes them).
    public func currentRelease() -> String? {
        guard let target = Self.readLink(current) else { return nil }
        for prefix in ["releases/", releases + "/"] where target.hasPrefix(prefix) {
            let id = String(target.dropFirst(prefix.count))
            return id.isEmpty || id.contains("/") ? nil : id
        }
        return nil
    }

    /// What `current` links to, as written (to put back a link that is not one of ours).
    public func currentLinkTarget() -> String? { Self.readLink(current) }

    /// The release in use before `current`: the last other one in the history that is still
    /// here; without a history, the newest one older than `current`.
    func previous(before current: String?, among all: [String]) -> String? {
        guard let current else { return nil }
        let present = Set(all)
        let switches = readHistory()
        if !switches.isEmpty {
            return switches.last { $0 != current && present.contains($0) }
        }
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
            try discard(release)
        }
        try FileTree.rename(staged, to: target)
    }

    /// Points `current` at `release` (nil: removes the link, as before a first release) and
    /// records the switch. Returns the release it pointed at before.
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
        try relink(to: "releases/" + release)
        // The switch is done; a history that cannot be written only makes "previous" guess.
        try? record(release)
        return before
    }

    /// Points `current` at `target` as written, in one rename.
    public func relink(to target: String) throws(InstallError) {
        let fresh = root + "/.current.swarmdeploy-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard symlink(target, fresh) == 0 else {
            throw InstallError("cannot create the link \(fresh): \(FileTree.systemMessage())")
        }
        do throws(InstallError) {
            try FileTree.rename(fresh, to: current)
        } catch {
            unlink(fresh)
            throw error
        }
    }

    /// Removes the oldest releases so that `keep` remain, never the current one nor the one in
    /// use before it. Returns the ids removed.
    @discardableResult
    public func prune(keep: Int) throws(InstallError) -> [String] {
        let status = try status()
        let protected = Set([status.current, status.previous].compactMap { $0 })
        var removable = status.all.filter { !protected.contains($0) }
        var removed: [String] = []
        var remaining = status.all.count
        while remaining > keep, !removable.isEmpty {
            let oldest = removable.removeFirst()
            try discard(oldest)
            removed.append(oldest)
            remaining -= 1
        }
        return removed
    }

    /// Removes a release: renamed to a staging name first, so a removal cut short leaves no
    /// half release under its real name (`removeLeftovers` finishes it).
    public func discard(_ release: String) throws(InstallError) {
        let doomed = releases + "/." + release + ".swarmdeploy-removing-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        guard FileTree.exists(path(of: release)) else { return }
        try FileTree.rename(path(of: release), to: doomed)
        try FileTree.remove(doomed)
    }

    /// Removes what interrupted deploys left: staging tarballs and trees and half-removed
    /// releases in `releases/`, links made beside `current`, and releases placed but never
    /// switched to (their deploy was killed before its switch; only with a history to tell).
    /// Only under the destination's lock. Returns the paths removed.
    @discardableResult
    public func removeLeftovers() throws(InstallError) -> [String] {
        var removed: [String] = []
        if FileTree.exists(releases) {
            let switched = Set(readHistory())
            let current = currentRelease()
            for name in try FileTree.entries(of: releases).sorted() {
                let staging = name.hasPrefix(".") && name.contains(".swarmdeploy-")
                let neverUsed = !name.hasPrefix(".") && !switched.isEmpty && !switched.contains(name) && name != current
                guard staging || neverUsed else { continue }
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

    /// The releases switched to, oldest first; empty without a history.
    func readHistory() -> [String] {
        guard let text = try? SmallFile.read(history) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    private func record(_ release: String) throws(InstallError) {
        var switches = readHistory()
        if switches.isEmpty, FileTree.exists(releases) {
            // A destination from before the history: its releases count as switched to, in
            // the order of their ids.
            switches = try FileTree.entries(of: releases).filter { !$0.hasPrefix(".") && $0 != release }.sorted()
        }
        if switches.last != release { switches.append(release) }
        try SmallFile.write(switches.suffix(Self.historyLimit).map { $0 + "\n" }.joined(), to: history)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

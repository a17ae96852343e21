/// Where one deploy stages its files on a host, all beside the destination so that the
/// final switch is a rename within one file system.
///
/// For destination `/srv/app` and deploy id `3f2a…` (random for each deploy, so no one can
/// know the names ahead and plant something there):
/// - `/srv/.app.swarmdeploy-3f2a….tar`: the downloaded tarball (seeded from here),
/// - `/srv/.app.swarmdeploy-3f2a….new`: the tree being extracted,
/// - `/srv/app.prev`: the replaced tree, when kept,
/// - `/srv/.app.swarmdeploy.lock`: held while any deploy to `/srv/app` runs (`DestinationLock`),
/// - `/srv/.app.swarmdeploy.release`: which releases `/srv/app` and `/srv/app.prev` are (`SiblingRecord`),
/// - `/srv/.app.swarmdeploy.reuse`: piece hashes and file digests of the tree in use, for the next push to reuse.
public struct InstallPaths: Sendable, Equatable {
    public let destination: String
    public let parent: String
    public let tarball: String
    public let stagingTree: String
    public let previous: String
    public let lockFile: String
    public let releaseRecord: String
    public let reuseCache: String
    /// The name (in `parent`) that every deploy's staging files to this destination start with.
    public let stagingPrefix: String

    /// `id` names this deploy's staging files.
    public init(destination: String, id: String) throws(InstallError) {
        guard destination.hasPrefix("/") else {
            throw InstallError("the destination \(destination) is not an absolute path")
        }
        var trimmed = Substring(destination)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let components = trimmed.split(separator: "/")
        guard let base = components.last else {
            throw InstallError("the destination cannot be / itself; name a directory such as /opt/app")
        }
        guard !components.contains(where: { $0 == "." || $0 == ".." }) else {
            throw InstallError("the destination \(destination) contains . or ..; give a plain absolute path")
        }
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw InstallError("deploy id \"\(id)\" must be letters and digits")
        }
        self.destination = "/" + components.joined(separator: "/")
        parent = components.count == 1 ? "/" : "/" + components.dropLast().joined(separator: "/")
        stagingPrefix = "." + base + ".swarmdeploy-"
        let prefix = (parent == "/" ? "" : parent) + "/" + stagingPrefix + id
        tarball = prefix + ".tar"
        stagingTree = prefix + ".new"
        previous = self.destination + ".prev"
        lockFile = (parent == "/" ? "" : parent) + "/." + base + ".swarmdeploy.lock"
        releaseRecord = (parent == "/" ? "" : parent) + "/." + base + ".swarmdeploy.release"
        reuseCache = (parent == "/" ? "" : parent) + "/." + base + ".swarmdeploy.reuse"
    }
}

/// A step on the host's file system that failed; the message names the path and what to do.
public struct InstallError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The peer program uploaded to hosts: a local file and its SHA-256, which names it in the
/// host's cache (`~/.cache/swarmdeploy/peer-<sha256>`), so an unchanged peer is uploaded once
/// per host and two versions never overwrite each other.
public struct PeerBinary: Sendable, Equatable {
    public let path: String
    public let sha256: String
    public let size: Int64

    public init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    /// Where it lives on a host, relative to the login user's home directory.
    public var remotePath: String { ".cache/swarmdeploy/peer-\(sha256)" }
}

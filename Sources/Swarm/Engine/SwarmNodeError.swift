/// Why a swarm node could not start, or could not finish its download.
public struct SwarmNodeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The error underneath, where one was caught (a failed write of the download, say), so
    /// callers can tell a full disk from a network failure without reading the message.
    public let cause: (any Error)?

    public init(_ description: String, cause: (any Error)? = nil) {
        self.description = description
        self.cause = cause
    }
}

/// Why a swarm node could not start, or could not finish its download.
public struct SwarmNodeError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

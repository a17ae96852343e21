import SSH

/// What happened to one host while `Fleet.run` works through the fleet.
/// Each host reports `connecting`, then `connected` once the host key is
/// verified and the user authenticated, then exactly one of `finished` or
/// `failed`.
public struct FleetEvent: Sendable {
    public enum Kind: Sendable {
        case connecting
        /// `newHostKey`: the fingerprint of the host key just recorded in the known-hosts file
        /// (`--accept-new-host-keys` on a first connection), to be shown.
        case connected(newHostKey: String?)
        /// The work returned; `elapsed` counts from `connecting`.
        case finished(elapsed: Duration)
        /// Connecting, authenticating or the work threw; `elapsed` counts from `connecting`.
        case failed(SSHError, elapsed: Duration)
    }

    /// The host's position in the list given to `Fleet.run`.
    public let index: Int
    public let host: FleetHost
    public let kind: Kind

    public init(index: Int, host: FleetHost, kind: Kind) {
        self.index = index
        self.host = host
        self.kind = kind
    }
}

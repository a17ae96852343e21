import DeployConfiguration
import SSH

/// One host of a hosts file, ready to be reached: the line it came from, the
/// name users see, and the SSH settings that apply to it alone.
public struct FleetHost: Sendable {
    /// The hosts-file line this host came from.
    public let entry: HostEntry
    /// `user@host:port` (`user@[::1]:port` for IPv6), as shown in output and reports.
    public let name: String
    public let configuration: SSHConfiguration

    public init(entry: HostEntry, name: String, configuration: SSHConfiguration) {
        self.entry = entry
        self.name = name
        self.configuration = configuration
    }
}

extension [FleetHost] {
    /// Closes the bastion connections these hosts went through (each once), waiting for their
    /// relay threads: done when the hosts' work is over, so that no thread is left inside
    /// libssh2 when the command ends. A later use connects again.
    public func closeBastions() {
        var closed = Set<ObjectIdentifier>()
        for jump in compactMap(\.configuration.jump) where closed.insert(ObjectIdentifier(jump)).inserted {
            jump.close()
        }
    }
}

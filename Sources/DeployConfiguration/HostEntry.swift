/// One line of a hosts file: login user (nil = the Deployfile's `ssh.user`),
/// address, free-form labels used to group hosts, and the 1-based line it came from.
public struct HostEntry: Sendable, Hashable {
    public let user: String?
    public let address: HostAddress
    public let labels: [String: String]
    public let line: Int

    public init(user: String?, address: HostAddress, labels: [String: String] = [:], line: Int) {
        self.user = user
        self.address = address
        self.labels = labels
        self.line = line
    }
}

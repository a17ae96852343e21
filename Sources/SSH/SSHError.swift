/// The one error the SSH module throws: which host, at which stage, what went
/// wrong, and what libssh2 itself said (when it said anything).
public struct SSHError: Error, CustomStringConvertible, Sendable {
    /// Where in the life of a session the failure happened.
    public enum Stage: String, Sendable, CaseIterable {
        case connect
        case hostKey = "host key"
        case auth
        case exec
        case upload
    }

    /// The host as the caller named it, with the port ("db1:22").
    public let host: String
    public let stage: Stage
    /// What happened and, where there is one, what to do about it.
    public let message: String
    /// libssh2's error code, when the failure came from libssh2.
    public let libssh2Code: Int32?
    /// libssh2's own message (`libssh2_session_last_error`), when it had one.
    public let libssh2Message: String?

    public init(
        host: String,
        stage: Stage,
        message: String,
        libssh2Code: Int32? = nil,
        libssh2Message: String? = nil
    ) {
        self.host = host
        self.stage = stage
        self.message = message
        self.libssh2Code = libssh2Code
        self.libssh2Message = libssh2Message
    }

    public var description: String {
        "\(host): \(detail)"
    }

    /// The description without the host, for output that names the host already.
    public var detail: String {
        var text = "\(stage.rawValue): \(message)"
        if let libssh2Message, !libssh2Message.isEmpty {
            text += " (libssh2: \(libssh2Message)"
            if let libssh2Code { text += ", code \(libssh2Code)" }
            text += ")"
        }
        return text
    }
}

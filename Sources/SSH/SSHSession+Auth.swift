import CLibSSH2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SSHSession {
    /// Public-key authentication: every key the agent holds, then each
    /// identity file. When nothing works the error lists each attempt and the
    /// methods the server allows, which is what a user needs to fix it.
    func authenticate() throws(SSHError) {
        let handle = try openHandle(for: .auth)
        let user = configuration.user
        // Asking for the method list also tries "none", which some servers accept.
        guard let list = libssh2_userauth_list(handle, user, UInt32(user.utf8.count)) else {
            if libssh2_userauth_authenticated(handle) != 0 { return }
            throw failure(.auth, "cannot ask the server which authentication methods it allows for \(user)")
        }
        let methods = String(cString: list)
        guard methods.split(separator: ",").contains("publickey") else {
            throw SSHError(host: configuration.endpoint, stage: .auth, message: """
                the server does not allow public-key authentication for \(user) (it allows: \(methods)); \
                swarmdeploy authenticates only with keys
                """)
        }

        var tried: [String] = []
        if try authenticateWithAgent(handle, tried: &tried) { return }
        if try authenticateWithIdentityFiles(handle, tried: &tried) { return }

        let attempts = tried.isEmpty ? "nothing (no agent, no identity files)" : tried.joined(separator: "; ")
        throw SSHError(host: configuration.endpoint, stage: .auth, message: """
            no key was accepted for user \(user). Tried: \(attempts). The server allows: \(methods). \
            Add your public key to ~\(user)/.ssh/authorized_keys on the host, load the right key into \
            ssh-agent, or name it with -i/--identity.
            """)
    }

    private func authenticateWithAgent(_ handle: OpaquePointer, tried: inout [String]) throws(SSHError) -> Bool {
        let socketPath: String
        switch configuration.agent {
        case .disabled:
            return false
        case .socket(let path):
            socketPath = path
        case .environment:
            guard let value = getenv("SSH_AUTH_SOCK"), value.pointee != 0 else {
                tried.append("ssh-agent (SSH_AUTH_SOCK is not set)")
                return false
            }
            socketPath = String(cString: value)
        }
        guard let agent = libssh2_agent_init(handle) else {
            tried.append("ssh-agent at \(socketPath) (libssh2 could not allocate an agent)")
            return false
        }
        defer {
            _ = libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0 else {
            tried.append("ssh-agent at \(socketPath) (cannot connect to it)")
            return false
        }
        guard libssh2_agent_list_identities(agent) == 0 else {
            tried.append("ssh-agent at \(socketPath) (cannot list its keys)")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var offered = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            let next = libssh2_agent_get_identity(agent, &identity, previous)
            guard next == 0, let identity else { break }
            previous = identity
            offered += 1
            if libssh2_agent_userauth(agent, configuration.user, identity) == 0 { return true }
            try abortIfConnectionLost(handle)
            let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
            tried.append("ssh-agent key \(comment.isEmpty ? "#\(offered)" : comment) (rejected)")
        }
        if offered == 0 { tried.append("ssh-agent at \(socketPath) (holds no keys)") }
        return false
    }

    private func authenticateWithIdentityFiles(_ handle: OpaquePointer, tried: inout [String]) throws(SSHError) -> Bool {
        let user = configuration.user
        for path in configuration.identityFiles {
            guard FileSystem.isReadableFile(path) else {
                tried.append("\(path) (not a readable file)")
                continue
            }
            // With no .pub beside it, libssh2 derives the public key from the private one.
            let publicKey = path + ".pub"
            let publicKeyPath: String? = FileSystem.isReadableFile(publicKey) ? publicKey : nil
            let code = libssh2_userauth_publickey_fromfile_ex(
                handle, user, UInt32(user.utf8.count), publicKeyPath, path, configuration.passphrase
            )
            if code == 0 { return true }
            try abortIfConnectionLost(handle)
            switch code {
            case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
                tried.append("\(path) (rejected by the server)")
            default:
                let detail = failure(.auth, "").libssh2Message ?? "libssh2 error \(code)"
                tried.append("\(path) (unusable: \(detail))")
            }
        }
        return false
    }

    /// A dead connection or a timeout ends authentication at once instead of
    /// being reported as one more rejected key.
    private func abortIfConnectionLost(_ handle: OpaquePointer) throws(SSHError) {
        let code = libssh2_session_last_errno(handle)
        switch code {
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV,
             LIBSSH2_ERROR_SOCKET_SEND:
            throw failure(.auth, "the connection failed during authentication", code: code)
        default:
            return
        }
    }
}

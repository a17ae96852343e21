import Synchronization

/// A bastion (OpenSSH's `ProxyJump`) that carries the SSH connections of the hosts behind
/// it: one authenticated session to it, made on first use, and one `direct-tcpip` channel
/// through that session per host (see `TunnelRelay`). Every host configuration that names
/// the same `JumpHost` object shares that one connection, so a fleet of N hosts costs the
/// bastion one login, not N.
///
/// The connection ends with `close()` (whoever ran the hosts calls it when they are done, so
/// no relay thread outlives the command's work) or when the last reference goes away; a host
/// that needs the bastion after `close()` connects it again.
public final class JumpHost: Sendable {
    /// How to reach and log in to the bastion itself.
    public let configuration: SSHConfiguration

    private enum State {
        case idle
        case running(TunnelRelay)
        /// Connecting to the bastion failed: every host behind it fails with this, rather
        /// than each trying again (until `close()`).
        case failed(SSHError)
    }

    private let state = Mutex<State>(.idle)

    public init(configuration: SSHConfiguration) {
        self.configuration = configuration
    }

    deinit {
        close()
    }

    /// Whether a connection to the bastion (and its relay thread) is up.
    public var isConnected: Bool {
        state.withLock { state in
            if case .running = state { return true }
            return false
        }
    }

    /// `user@host:port` of the bastion, as messages name it.
    public var name: String { "\(configuration.user)@\(configuration.endpoint)" }

    /// A connected socket whose other end is a channel to `host`:`port` opened by the bastion;
    /// an `SSHSession` runs on it as on a TCP connection.
    func openTunnel(to host: String, port: Int, timeout: Duration, endpoint: String) throws(SSHError) -> Int32 {
        let relay = try relay(for: endpoint)
        return try relay.open(host: host, port: port, timeout: timeout, endpoint: endpoint)
    }

    /// The running relay, connecting to the bastion first if this is the first host. The
    /// lock is held while connecting: the other hosts wait for the same connection.
    private func relay(for endpoint: String) throws(SSHError) -> TunnelRelay {
        let outcome: Result<TunnelRelay, SSHError> = state.withLock { state in
            switch state {
            case .running(let relay): return .success(relay)
            case .failed(let error): return .failure(error)
            case .idle:
                do throws(SSHError) {
                    let relay = try TunnelRelay(bastion: SSHSession(configuration: configuration))
                    state = .running(relay)
                    return .success(relay)
                } catch {
                    let failure = SSHError(
                        host: endpoint, stage: error.stage,
                        message: "through the bastion \(name): \(error.message)",
                        libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message)
                    state = .failed(failure)
                    return .failure(failure)
                }
            }
        }
        return try outcome.get()
    }

    /// Closes the bastion connection and with it every tunnel, waiting for its relay thread;
    /// forgets a failure to connect. Idempotent.
    public func close() {
        let relay: TunnelRelay? = state.withLock { state in
            defer { state = .idle }
            if case .running(let relay) = state { return relay }
            return nil
        }
        relay?.stop()
    }
}

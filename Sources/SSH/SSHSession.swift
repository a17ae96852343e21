import CLibSSH2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libssh2 must be initialised once per process before any session exists and
/// `libssh2_init` itself is not thread-safe; a global `let` is initialised
/// exactly once, atomically, on first use. OpenSSL is told first not to tear itself down
/// at exit, while other threads may still be using it.
private let libssh2InitResult: Int32 = {
    _ = swarmdeploy_keep_crypto_until_exit()
    return libssh2_init(0)
}()

/// One SSH connection to one host: the TCP socket and the libssh2 session on
/// it, connected, with the host key verified and the user authenticated by the
/// time `init` returns.
///
/// Not `Sendable`, and not safe to use from two threads at once: libssh2
/// sessions are single-threaded. The calls block (bounded by the configured
/// timeouts), so run them on threads of their own, away from any event loop
/// (`Fleet.BlockingPool`); a long command can instead be started and driven
/// without blocking (`start`, `RunningCommand`). Resources are released by
/// `close()` or, at the latest, by `deinit`; close a session only after its
/// running commands were closed or abandoned.
public final class SSHSession {
    public let configuration: SSHConfiguration
    /// The server's host key fingerprint in OpenSSH's format ("SHA256:…").
    public internal(set) var hostKeyFingerprint: String = ""
    /// Set when `.acceptNew` recorded this host's key in the known-hosts file just now: its
    /// fingerprint, for the caller to show.
    public internal(set) var recordedHostKey: String?

    /// LIBSSH2_SESSION*; nil once closed.
    var handle: OpaquePointer?
    /// The connected socket; -1 once closed.
    var socket: Int32

    /// Connects, verifies the host key against the known-hosts file and
    /// authenticates. Throws `SSHError` naming the stage that failed.
    public init(configuration: SSHConfiguration) throws(SSHError) {
        self.configuration = configuration
        let endpoint = configuration.endpoint
        guard libssh2InitResult == 0 else {
            throw SSHError(host: endpoint, stage: .connect, message: "libssh2 failed to initialise (code \(libssh2InitResult))")
        }
        if let jump = configuration.jump {
            socket = try jump.openTunnel(
                to: configuration.host, port: configuration.port, timeout: configuration.connectTimeout, endpoint: endpoint)
        } else {
            socket = try TCPConnector.connect(
                host: configuration.host,
                port: configuration.port,
                timeout: configuration.connectTimeout,
                deadHostTimeout: configuration.deadHostTimeout,
                endpoint: endpoint
            )
        }
        handle = libssh2_session_init_ex(nil, nil, nil, nil)
        do throws(SSHError) {
            guard let handle else {
                throw SSHError(host: endpoint, stage: .connect, message: "libssh2 could not allocate a session")
            }
            libssh2_session_set_blocking(handle, 1)
            libssh2_session_set_timeout(handle, Int(pollMilliseconds(configuration.operationTimeout)))
            // Read and parsed once: the key types to ask for come from it, then the check.
            let file = try readKnownHosts()
            let knownHosts = try knownHostsCollection(handle, file)
            defer { libssh2_knownhost_free(knownHosts) }
            preferRecordedKeyTypes(handle, knownHosts)
            let code = libssh2_session_handshake(handle, socket)
            if code != 0 {
                throw failure(.connect, "SSH handshake failed; is this an SSH server, and does it offer algorithms libssh2 \(SSHLibrary.version) supports?", code: code)
            }
            try verifyHostKey(knownHosts, revoked: file.revoked)
            try authenticate()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Whether `close()` has run.
    public var isClosed: Bool { handle == nil }

    /// Says goodbye to the server (best effort, for at most a second: a host
    /// whose link is down would otherwise hold the caller for the operation
    /// timeout), frees the libssh2 session and closes the socket. Idempotent.
    public func close() {
        if let handle {
            libssh2_session_set_blocking(handle, 1)
            libssh2_session_set_timeout(handle, 1000)
            _ = libssh2_session_disconnect_ex(handle, SSH_DISCONNECT_BY_APPLICATION, "closing", "")
            _ = libssh2_session_free(handle)
            self.handle = nil
        }
        if socket >= 0 {
            posixClose(socket)
            socket = -1
        }
    }

    /// An `SSHError` for `stage` that carries libssh2's last error for this session.
    func failure(_ stage: SSHError.Stage, _ message: String, code: Int32? = nil) -> SSHError {
        var libssh2Message: String?
        var libssh2Code = code
        if let handle {
            var text: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            let last = libssh2_session_last_error(handle, &text, &length, 0)
            if last != 0 {
                libssh2Code = last
                if let text, length > 0 {
                    libssh2Message = String(
                        decoding: UnsafeRawBufferPointer(start: text, count: Int(length)), as: UTF8.self
                    )
                }
            }
        }
        return SSHError(
            host: configuration.endpoint, stage: stage, message: message,
            libssh2Code: libssh2Code, libssh2Message: libssh2Message
        )
    }

    /// The session handle, or an error for `stage` when the session was closed.
    func openHandle(for stage: SSHError.Stage) throws(SSHError) -> OpaquePointer {
        guard let handle else {
            throw SSHError(host: configuration.endpoint, stage: stage, message: "the session is closed")
        }
        return handle
    }
}

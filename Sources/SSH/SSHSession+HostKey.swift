import CLibSSH2
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The known-hosts file as read once for a session: the lines libssh2 is given, and the keys
/// marked `@revoked` (base64 blobs), which libssh2 does not understand.
struct KnownHostsFile {
    var lines: [String] = []
    var revoked: Set<Substring> = []
}

/// The host key types libssh2 knows, with the names of the signature methods that use each
/// (RSA keys sign with three).
private let hostKeyTypes: [(mask: Int32, methods: [String], name: String)] = [
    (LIBSSH2_KNOWNHOST_KEY_ED25519, ["ssh-ed25519"], "ED25519"),
    (LIBSSH2_KNOWNHOST_KEY_ECDSA_256, ["ecdsa-sha2-nistp256"], "ECDSA (P-256)"),
    (LIBSSH2_KNOWNHOST_KEY_ECDSA_384, ["ecdsa-sha2-nistp384"], "ECDSA (P-384)"),
    (LIBSSH2_KNOWNHOST_KEY_ECDSA_521, ["ecdsa-sha2-nistp521"], "ECDSA (P-521)"),
    (LIBSSH2_KNOWNHOST_KEY_SSHRSA, ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"], "RSA"),
    (LIBSSH2_KNOWNHOST_KEY_SSHDSS, ["ssh-dss"], "DSA"),
]

extension SSHSession {
    /// The largest known-hosts file we read; far beyond any real one.
    static let knownHostsSizeLimit = 64 * 1024 * 1024

    /// Checks the server's host key against the known-hosts file, the way
    /// OpenSSH's `StrictHostKeyChecking` does: a match passes, an unknown host
    /// fails (or, with `.acceptNew`, is recorded), a different key always fails —
    /// also one of another type than the recorded ones.
    func verifyHostKey(_ knownHosts: OpaquePointer, revoked: Set<Substring>) throws(SSHError) {
        let handle = try openHandle(for: .hostKey)
        var keyLength = 0
        var keyType: Int32 = 0
        guard let keyPointer = libssh2_session_hostkey(handle, &keyLength, &keyType), keyLength > 0 else {
            throw failure(.hostKey, "the server sent no host key")
        }
        let key = Array(UnsafeRawBufferPointer(start: keyPointer, count: keyLength))
        hostKeyFingerprint = try fingerprint(handle)
        guard let keyTypeMask = Self.knownHostKeyType(keyType) else {
            throw failure(.hostKey, "unsupported host key type \(keyType) (fingerprint \(hostKeyFingerprint))")
        }
        if revoked.contains(Substring(Data(key).base64EncodedString())) {
            throw SSHError(host: configuration.endpoint, stage: .hostKey, message: """
                the host key \(hostKeyFingerprint) is marked @revoked in \(configuration.knownHostsPath); refusing to connect
                """)
        }

        let config = configuration
        switch check(knownHosts, key: key, type: keyTypeMask) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw changedKey(recorded: nil)
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            // libssh2 compares only keys of the presented type: a host recorded with an ED25519
            // key that now shows an ECDSA one would look new. OpenSSH calls that a changed key.
            if let other = recordedTypes(knownHosts).first(where: { $0.mask != keyTypeMask }) {
                throw changedKey(recorded: other.name)
            }
            guard config.hostKeyPolicy == .acceptNew else {
                throw failure(.hostKey, """
                    unknown host key \(hostKeyFingerprint) (not in \(config.knownHostsPath)). Verify the fingerprint, \
                    then add it with `ssh-keyscan -p \(config.port) \(config.host) >> \(config.knownHostsPath)`, \
                    or run with --accept-new-host-keys to record keys of hosts seen for the first time.
                    """)
            }
            try record(knownHosts, key: key, typeMask: Self.keyTypeMask(keyTypeMask))
            recordedHostKey = hostKeyFingerprint
        default:
            throw failure(.hostKey, "cannot check the host key against \(config.knownHostsPath)")
        }
    }

    private func changedKey(recorded otherType: String?) -> SSHError {
        let config = configuration
        let what = otherType.map { "differs from the \($0) key recorded" } ?? "differs from the one recorded"
        return failure(.hostKey, """
            HOST KEY CHANGED: the key \(knownHostsName) presents (\(hostKeyFingerprint)) \(what) in \
            \(config.knownHostsPath). Someone may be intercepting the connection, or the host was \
            reinstalled. If you know the change is legitimate, remove the old entry with \
            `ssh-keygen -R '\(knownHostsName)' -f \(config.knownHostsPath)` and connect again.
            """)
    }

    /// Asks the server for the key types recorded for this host first (as OpenSSH does), so
    /// a host known by its ED25519 key is not met with its ECDSA key and taken for changed.
    func preferRecordedKeyTypes(_ handle: OpaquePointer, _ knownHosts: OpaquePointer) {
        let recorded = recordedTypes(knownHosts)
        guard !recorded.isEmpty else { return }
        let first = recorded.flatMap { $0.methods }
        let rest = hostKeyTypes.flatMap { $0.methods }.filter { !first.contains($0) }
        // Names this libssh2 lacks are dropped by it; a list it cannot use at all leaves its default.
        _ = libssh2_session_method_pref(handle, LIBSSH2_METHOD_HOSTKEY, (first + rest).joined(separator: ","))
    }

    /// The key types recorded for this host: a lookup with a key no host has finds "mismatch"
    /// exactly for the types that have an entry.
    private func recordedTypes(_ knownHosts: OpaquePointer) -> [(mask: Int32, methods: [String], name: String)] {
        hostKeyTypes.filter { check(knownHosts, key: [0], type: $0.mask) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH }
    }

    private func check(_ knownHosts: OpaquePointer, key: [UInt8], type: Int32) -> Int32 {
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let config = configuration
        return key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                libssh2_knownhost_checkp(
                    knownHosts, config.host, Int32(config.port), $0.baseAddress, key.count, Self.keyTypeMask(type), &entry)
            }
        }
    }

    private static func keyTypeMask(_ type: Int32) -> Int32 {
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type
    }

    /// A libssh2 collection of the file's entries; the caller frees it.
    func knownHostsCollection(_ handle: OpaquePointer, _ file: KnownHostsFile) throws(SSHError) -> OpaquePointer {
        guard let knownHosts = libssh2_knownhost_init(handle) else {
            throw failure(.hostKey, "libssh2 could not allocate a known-hosts collection")
        }
        for line in file.lines {
            _ = libssh2_knownhost_readline(knownHosts, line, line.utf8.count, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
        }
        return knownHosts
    }

    /// How OpenSSH names this host in known_hosts: plain for port 22,
    /// `[host]:port` otherwise.
    var knownHostsName: String {
        configuration.port == 22 ? configuration.host : "[\(configuration.host)]:\(configuration.port)"
    }

    /// "SHA256:" and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it.
    private func fingerprint(_ handle: OpaquePointer) throws(SSHError) -> String {
        guard let hash = libssh2_hostkey_hash(handle, LIBSSH2_HOSTKEY_HASH_SHA256) else {
            throw failure(.hostKey, "libssh2 could not hash the host key")
        }
        let digest = Data(UnsafeRawBufferPointer(start: hash, count: 32)).base64EncodedString()
        return "SHA256:" + digest.prefix { $0 != "=" }
    }

    /// Reads the file for libssh2 one line at a time rather than with
    /// `libssh2_knownhost_readfile`, which stops at the first line it cannot
    /// parse (newer key types, `@cert-authority`): those lines are skipped so
    /// the rest of a real-world file still counts. `@revoked` keys are kept
    /// aside, as libssh2 does not understand the marker.
    func readKnownHosts() throws(SSHError) -> KnownHostsFile {
        let path = configuration.knownHostsPath
        let contents: [UInt8]?
        do {
            contents = try FileSystem.readFile(path, limit: Self.knownHostsSizeLimit)
        } catch {
            throw SSHError(host: configuration.endpoint, stage: .hostKey, message: "cannot read known-hosts file \(error)")
        }
        var file = KnownHostsFile()
        guard let contents else { return file }
        for rawLine in contents.split(separator: UInt8(ascii: "\n")) {
            let line = String(decoding: rawLine, as: UTF8.self).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("@") {
                if line.hasPrefix("@revoked") {
                    // "@revoked hosts keytype base64-key [comment]"
                    let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                    if fields.count >= 4 { file.revoked.insert(fields[3]) }
                }
                continue
            }
            file.lines.append(line)
        }
        return file
    }

    /// Adds the key under OpenSSH's name for the host and appends just that
    /// line to the file (rather than `libssh2_knownhost_writefile`, which would
    /// rewrite the whole file without the lines libssh2 could not parse).
    private func record(_ knownHosts: OpaquePointer, key: [UInt8], typeMask: Int32) throws(SSHError) {
        var stored: UnsafeMutablePointer<libssh2_knownhost>?
        let name = knownHostsName
        let added = key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                libssh2_knownhost_addc(knownHosts, name, nil, $0.baseAddress, key.count, nil, 0, typeMask, &stored)
            }
        }
        guard added == 0, let stored else {
            throw failure(.hostKey, "cannot add the new host key \(hostKeyFingerprint) to the known-hosts list", code: added)
        }
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        var length = 0
        let written = libssh2_knownhost_writeline(
            knownHosts, stored, &buffer, buffer.count, &length, LIBSSH2_KNOWNHOST_FILE_OPENSSH
        )
        guard written == 0 else {
            throw failure(.hostKey, "cannot format the known-hosts line for \(hostKeyFingerprint)", code: written)
        }
        let line = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try FileSystem.appendLine(line, to: configuration.knownHostsPath)
        } catch {
            throw SSHError(host: configuration.endpoint, stage: .hostKey, message: "cannot record the new host key \(hostKeyFingerprint): \(error)")
        }
    }

    /// libssh2's host key type (from `libssh2_session_hostkey`) as its known-hosts key type bits.
    static func knownHostKeyType(_ type: Int32) -> Int32? {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519
        default: return nil
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}

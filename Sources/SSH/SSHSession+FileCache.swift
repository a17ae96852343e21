extension SSHSession {
    /// Makes `remotePath` hold exactly the local file whose SHA-256 is
    /// `sha256` (lowercase hex), uploading only when needed: the host hashes
    /// what it already has (a name alone proves nothing). A new copy goes to a
    /// temporary name first and is renamed into place only after the host has
    /// hashed it, so a file at `remotePath` always had the right digest when
    /// it got there — which lets a content-addressed cache trust its names on
    /// later runs. Returns whether an upload happened.
    ///
    /// Relative paths are relative to the user's home directory, for SFTP and
    /// the shell alike; missing parent directories are created. Needs
    /// `sha256sum` (coreutils) on the host.
    ///
    /// `gzipped`, when given, supplies the file gzip-compressed (called only when
    /// an upload is needed): that is sent instead and unpacked on the host with
    /// `gzip -d`, so a first contact moves far fewer bytes; a host without gzip
    /// gets the plain file. With `keepCompressed`, the compressed copy stays beside the file
    /// as `remotePath.gz` (for a host that passes the file on to others).
    @discardableResult
    public func ensureFile(
        contentsOf localPath: String,
        sha256: String,
        at remotePath: String,
        permissions: Int32 = 0o755,
        gzipped: (() -> [UInt8]?)? = nil,
        keepCompressed: Bool = false
    ) throws(SSHError) -> Bool {
        let expected = sha256.lowercased()
        guard expected.utf8.count == 64, expected.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw SSHError(host: configuration.endpoint, stage: .upload, message: "\"\(sha256)\" is not a SHA-256 digest (64 hex digits)")
        }
        let quoted = shellQuoted(remotePath)
        let directory = remotePath.contains("/") ? String(remotePath[..<remotePath.lastIndex(of: "/")!]) : "."
        let probe = "mkdir -p -- \(shellQuoted(directory.isEmpty ? "/" : directory)) && if [ -f \(quoted) ]; then sha256sum -- \(quoted); fi"
        if try remoteDigest(probe, of: remotePath) == expected { return false }

        let incoming = remotePath + ".incoming-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var packed: String?
        if let compressed = gzipped?(), try uploadCompressed(compressed, to: incoming, permissions: permissions, keep: keepCompressed) {
            // Unpacked on the host; verified below like a plain upload.
            packed = keepCompressed ? incoming + ".gz" : nil
        } else {
            try upload(contentsOf: localPath, to: incoming, permissions: permissions)
        }

        let actual: String?
        do throws(SSHError) {
            actual = try remoteDigest("sha256sum -- \(shellQuoted(incoming))", of: incoming)
        } catch {
            _ = try? execute("rm -f -- \(shellQuoted(incoming)) \(shellQuoted(incoming + ".gz"))", timeout: configuration.operationTimeout)
            throw error
        }
        guard actual == expected else {
            _ = try? execute("rm -f -- \(shellQuoted(incoming)) \(shellQuoted(incoming + ".gz"))", timeout: configuration.operationTimeout)
            throw SSHError(host: configuration.endpoint, stage: .upload, message: """
                after uploading \(localPath) to \(incoming) the host computes SHA-256 \(actual ?? "(none)"), \
                not \(expected); the local file may have changed during the upload
                """)
        }
        // The compressed copy follows the file it unpacks to, once that is in place.
        let keep = packed.map { "; status=$?; if [ $status = 0 ]; then mv -f -- \(shellQuoted($0)) \(shellQuoted(remotePath + ".gz")); "
            + "else rm -f -- \(shellQuoted($0)); fi; exit $status" } ?? ""
        let moved: SSHCommandResult
        do {
            moved = try execute("mv -f -- \(shellQuoted(incoming)) \(quoted)" + keep, timeout: configuration.operationTimeout)
        } catch {
            throw SSHError(host: error.host, stage: .upload, message: "cannot move \(incoming) to \(remotePath) on the host: \(error.message)", libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message)
        }
        guard moved.succeeded else {
            throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot move \(incoming) to \(remotePath) on the host: \(moved.stderrText)")
        }
        return true
    }

    /// Sends `compressed` next to `remotePath` (a temporary name) and unpacks it there, with
    /// the mode; the compressed file is removed unless `keep` (and always on failure).
    /// Returns false when the host has no gzip.
    private func uploadCompressed(_ compressed: [UInt8], to remotePath: String, permissions: Int32, keep: Bool) throws(SSHError) -> Bool {
        let packed = remotePath + ".gz"
        try upload(compressed, to: packed, permissions: 0o600)
        let mode = String(permissions, radix: 8)
        let target = shellQuoted(remotePath)
        let removePacked = keep ? "[ $status = 0 ] || rm -f -- \(shellQuoted(packed)); " : "rm -f -- \(shellQuoted(packed)); "
        let command = "command -v gzip >/dev/null || { rm -f -- \(shellQuoted(packed)); exit 127; }; "
            + "gzip -dc -- \(shellQuoted(packed)) > \(target) && chmod \(mode) -- \(target); status=$?; "
            + removePacked + "[ $status = 0 ] || rm -f -- \(target); exit $status"
        let result: SSHCommandResult
        do {
            result = try execute(command, timeout: configuration.operationTimeout)
        } catch {
            throw SSHError(host: error.host, stage: .upload, message: "cannot unpack \(packed) on the host: \(error.message)", libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message)
        }
        if result.exitStatus == 127 { return false }
        guard result.succeeded else {
            throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot unpack \(packed) into \(remotePath) on the host (exit \(result.exitStatus.map(String.init) ?? result.exitSignal ?? "?")): \(result.stderrText)")
        }
        return true
    }

    /// The digest `sha256sum` printed, nil when it printed nothing.
    private func remoteDigest(_ command: String, of remotePath: String) throws(SSHError) -> String? {
        let result: SSHCommandResult
        do {
            result = try execute(command, timeout: configuration.operationTimeout)
        } catch {
            throw SSHError(host: error.host, stage: .upload, message: "cannot hash \(remotePath) on the host: \(error.message)", libssh2Code: error.libssh2Code, libssh2Message: error.libssh2Message)
        }
        guard result.succeeded else {
            throw SSHError(host: configuration.endpoint, stage: .upload, message: "cannot hash \(remotePath) on the host (exit \(result.exitStatus.map(String.init) ?? result.exitSignal ?? "?")): \(result.stderrText)")
        }
        let digest = result.stdoutText.prefix { $0 != " " }
        return digest.isEmpty ? nil : String(digest)
    }
}

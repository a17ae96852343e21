/// OpenSSH keys for the tests, made and read by the real ssh-keygen.
public enum SSHKeys {
    /// Generates an unencrypted ed25519 key pair at `path` and `path.pub`.
    /// A key pair without passphrase; `type` as `ssh-keygen -t` takes it ("ed25519", "ecdsa", "rsa").
    public static func generate(at path: String, comment: String, type: String = "ed25519") async throws {
        try await ProcessRunner.output("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-C", comment, "-f", path])
    }

    /// "SHA256:…" as `ssh-keygen -lf` prints it for a public key file.
    public static func fingerprint(ofPublicKey path: String) async throws -> String {
        let line = try await ProcessRunner.output("/usr/bin/ssh-keygen", ["-lf", path])
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[1].hasPrefix("SHA256:") else {
            throw TestSetupError("unexpected ssh-keygen -l output: \(line)")
        }
        return String(fields[1])
    }
}

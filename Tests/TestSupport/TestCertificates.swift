import Foundation

/// A certificate authority and a server certificate signed by it, made with the openssl tool
/// for TLS tests (https:// web seeds): the server certificate names `names` and `addresses`.
public struct TestCertificates: Sendable {
    /// PEM of the authority, which clients are told to trust.
    public let authority: String
    /// PEM of the server's certificate and its key.
    public let certificate: String
    public let key: String

    public static func make(in directory: TemporaryDirectory, names: [String], addresses: [String]) async throws -> TestCertificates {
        let openssl = try Interop.require(Interop.executable("openssl") ?? "/usr/bin/openssl", package: "openssl")
        let path = directory.path
        let alternatives = (names.map { "DNS:\($0)" } + addresses.map { "IP:\($0)" }).joined(separator: ",")
        _ = try directory.write("subjectAltName=\(alternatives)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n", to: "server.ext")
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(path)/ca.key",
             "-out", "\(path)/ca.pem", "-days", "2", "-subj", "/CN=swarmdeploy test authority"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(path)/server.key",
             "-out", "\(path)/server.csr", "-subj", "/CN=\(names.first ?? addresses.first ?? "server")"],
            ["x509", "-req", "-in", "\(path)/server.csr", "-CA", "\(path)/ca.pem", "-CAkey", "\(path)/ca.key", "-CAcreateserial",
             "-out", "\(path)/server.pem", "-days", "2", "-extfile", "\(path)/server.ext"],
        ]
        for step in steps {
            let result = try await ProcessRunner.run(openssl, step)
            guard result.status == 0 else { throw TestSetupError("openssl \(step[0]) failed: \(result.stderr)") }
        }
        return TestCertificates(authority: "\(path)/ca.pem", certificate: "\(path)/server.pem", key: "\(path)/server.key")
    }
}

import NIOSSL

/// Whom an https:// web seed must prove itself to: the system's certificate authorities, or
/// the ones given (`--web-seed-ca`, PEM). The peer carries BoringSSL (swift-nio-ssl) and reads
/// the system's store from the usual files, so the static binary needs no system library.
public enum WebSeedTrust {
    /// Checks PEM text before a push relies on it: at least one certificate, all readable.
    /// Returns how many it holds.
    @discardableResult
    public static func check(pem: [UInt8]) throws -> Int {
        let certificates = try NIOSSLCertificate.fromPEMBytes(pem)
        guard !certificates.isEmpty else { throw WebSeedTrustError("it holds no PEM certificate") }
        return certificates.count
    }

    /// A TLS client context trusting `certificates` (PEM), or the system's store when nil.
    static func context(certificates: [UInt8]?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let certificates {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(certificates))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

struct WebSeedTrustError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

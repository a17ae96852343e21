#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Numeric IP address checks done by the C library, so what we accept is exactly
/// what the resolver and sockets will accept later.
enum IPLiteral {
    static func isIPv4(_ text: String) -> Bool {
        guard !containsNUL(text) else { return false }
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    /// Accepts an optional `%zone` suffix (link-local addresses need one).
    static func isIPv6(_ text: String) -> Bool {
        canonicalIPv6(text) != nil
    }

    /// The RFC 5952 text form, so `fd00:0::5` and `fd00::5` compare equal.
    static func canonicalIPv6(_ text: String) -> String? {
        guard !containsNUL(text) else { return nil }
        var address = text
        var zone = ""
        if let percent = text.firstIndex(of: "%") {
            address = String(text[..<percent])
            zone = String(text[percent...])
            let zoneName = zone.dropFirst()
            guard !zoneName.isEmpty, zoneName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
            else { return nil }
        }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, address, &raw) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        let canonical = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return canonical + zone
    }

    /// inet_pton reads a C string, which ends at the first NUL: "fd::\0junk" would pass as "fd::".
    private static func containsNUL(_ text: String) -> Bool {
        text.utf8.contains(0)
    }
}

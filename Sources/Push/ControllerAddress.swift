#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the address hosts should use to reach the controller.
public enum ControllerAddress {
    /// Source address the kernel would use to reach `host` (UDP socket connect + getsockname: no packet is sent). Resolves names with getaddrinfo.
    ///
    /// Connecting a datagram socket only selects a route and a source address;
    /// nothing goes on the wire, so this is safe in `--dry-run`.
    public static func detect(towards host: String, port: Int) throws(PushError) -> String {
        guard !host.isEmpty else {
            throw PushError(.addressDetection, "no host to find a route to", remedy: "set transfer.listen to the controller's address")
        }
        guard (1...65535).contains(port) else {
            throw PushError(.addressDetection, "port \(port) is out of range", remedy: "use a port from 1 to 65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_NUMERICSERV
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_DGRAM
        #else
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw PushError(
                .addressDetection,
                "cannot resolve '\(host)': \(reason)",
                remedy: "check the host name, or set transfer.listen (--listen) to the controller's address"
            )
        }
        defer { freeaddrinfo(first) }

        var lastErrno: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            if let address = sourceAddress(for: info.pointee, errno: &lastErrno) { return address }
        }
        throw PushError(
            .addressDetection,
            "no route to '\(host)': \(String(cString: strerror(lastErrno)))",
            remedy: "check the network configuration, or set transfer.listen (--listen) to the controller's address"
        )
    }

    private static func sourceAddress(for info: addrinfo, errno lastErrno: inout Int32) -> String? {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else {
            lastErrno = errno
            return nil
        }
        defer { close(fd) }
        guard connect(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            lastErrno = errno
            return nil
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            lastErrno = errno
            return nil
        }
        return numericHost(storage)
    }

    private static func numericHost(_ storage: sockaddr_storage) -> String? {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let written: UnsafePointer<CChar>? = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET {
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var address = sin.pointee.sin_addr
                    return inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                }
            }
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var address = sin6.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                }
            }
            return nil
        }
        guard written != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

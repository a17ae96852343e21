import Foundation

/// A listening socket on 127.0.0.1 that never accepts, reads or writes.
/// With room in its backlog the kernel completes connections to it: an SSH
/// server that never speaks. With `unanswering`, one connection fills a
/// backlog of zero, so Linux drops further SYNs: a host that never answers,
/// without leaving loopback.
public final class SilentListener {
    public let fd: Int32
    public let port: Int
    private var occupant: Int32 = -1

    public init(unanswering: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var address = Loopback.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, unanswering ? 0 : 16) == 0 else {
            close(fd)
            throw TestSetupError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        if unanswering {
            occupant = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var target = Loopback.loopbackAddress(port: port)
            let connected = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(occupant, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { throw TestSetupError("cannot fill the backlog: \(String(cString: strerror(errno)))") }
        }
    }

    deinit {
        if occupant >= 0 { close(occupant) }
        close(fd)
    }
}

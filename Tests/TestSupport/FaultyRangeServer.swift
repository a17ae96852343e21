import Foundation

/// An HTTP/1.1 server on 127.0.0.1 serving one file's byte ranges in ways nginx will not:
/// for web seed tests of what real servers and proxies do now and then. Every request is
/// answered `206` with the file's bytes; `fault` says how the answer goes wrong. Stopped when
/// released.
public final class FaultyRangeServer: @unchecked Sendable {
    public enum Fault: Sendable {
        /// The first `count` responses announce the range asked for, send `bytes` of it and
        /// close the connection; the ones after are whole.
        case cutsResponses(count: Int, after: Int)
        /// Each response carries at most `bytes` of the range asked for, announced as such in
        /// its `Content-Range` (servers and proxies that cap a response's length).
        case capsRanges(bytes: Int)
    }

    public let port: Int
    private let listener: Int32
    private let bytes: [UInt8]
    private let fault: Fault
    private let state = Locked(State())

    private struct State {
        var connections: [Int32] = []
        var responses: [(range: ClosedRange<Int>, sent: Int)] = []
        var stopped = false
    }

    public init(serving bytes: [UInt8], fault: Fault) throws {
        self.bytes = bytes
        self.fault = fault
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
        var address = Loopback.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestSetupError("bind/listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// `http://127.0.0.1:PORT/NAME`.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Each response so far: the range it announced and the body bytes it sent.
    public var responses: [(range: ClosedRange<Int>, sent: Int)] { state.withLock { $0.responses } }

    public func stop() {
        let open = state.withLock { state -> [Int32] in
            state.stopped = true
            return state.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit {
        stop()
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.append(fd)
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    /// Answers requests on one connection until the client or a fault closes it.
    private func serve(_ fd: Int32) {
        defer {
            state.withLock { $0.connections.removeAll { $0 == fd } }
            close(fd)
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            guard let end = Self.headEnd(in: pending) else {
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                pending += chunk[..<count]
                continue
            }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 4)
            guard let asked = Self.range(in: head, fileLength: bytes.count) else {
                let refusal = Array("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n\r\n".utf8)
                _ = refusal.withUnsafeBytes { Self.sendAll(fd, $0) }
                return
            }
            guard respond(fd, asked: asked) else { return }
        }
    }

    /// Sends one response to a request for `asked`; false when the connection is to close.
    private func respond(_ fd: Int32, asked: ClosedRange<Int>) -> Bool {
        var range = asked
        var cut = false
        switch fault {
        case .cutsResponses(let count, _):
            cut = state.withLock { $0.responses.count } < count
        case .capsRanges(let most):
            range = asked.lowerBound...(asked.lowerBound + min(most, asked.count) - 1)
        }
        let head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(range.lowerBound)-\(range.upperBound)/\(bytes.count)\r\n"
            + "Content-Length: \(range.count)\r\nConnection: keep-alive\r\n\r\n"
        var body = bytes[range]
        if cut, case .cutsResponses(_, let after) = fault { body = body.prefix(after) }
        let message = Array(head.utf8) + body
        let sent = message.withUnsafeBytes { Self.sendAll(fd, $0) }
        state.withLock { $0.responses.append((range, sent ? body.count : 0)) }
        return sent && !cut
    }

    private static func sendAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }

    /// The range a request's `Range: bytes=A-B` (or `A-`) header asks for, within the file.
    private static func range(in head: String, fileLength: Int) -> ClosedRange<Int>? {
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("range: bytes=") {
            let bounds = line.dropFirst("range: bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, let start = Int(bounds[0]), start < fileLength else { return nil }
            let end = bounds[1].isEmpty ? fileLength - 1 : min(Int(bounds[1]) ?? -1, fileLength - 1)
            return end >= start ? start...end : nil
        }
        return nil
    }
}

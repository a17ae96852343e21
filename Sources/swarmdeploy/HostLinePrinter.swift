import Foundation
import Fleet
import Glibc
import SSH

/// Prints remote output lines as `name: line`, from any thread. One lock and
/// one write(2) per line, so lines from different hosts never interleave mid-line.
/// Control characters are escaped (`HostText`) unless `raw`.
final class HostLinePrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let raw: Bool

    init(raw: Bool = false) {
        self.raw = raw
    }

    func print(_ line: String, from name: String, on stream: SSHOutputStream) {
        let bytes = Array("\(name): \(raw ? line : HostText.printable(line))\n".utf8)
        let descriptor = stream == .stdout ? STDOUT_FILENO : STDERR_FILENO
        lock.withLock { Self.writeAll(bytes, to: descriptor) }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

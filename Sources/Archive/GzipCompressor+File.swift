#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension GzipCompressor {
    /// The whole file at `path`, gzip-compressed in memory (the peer program: a few MiB).
    public static func compress(fileAt path: String, level: Int) throws -> [UInt8] {
        let descriptor = try POSIX.openFile(path, flags: O_RDONLY)
        defer { close(descriptor) }
        let compressor = try GzipCompressor(level: level)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try POSIX.read(descriptor, into: $0.baseAddress!, count: $0.count, path: path) }
            if count == 0 { break }
            try chunk.withUnsafeBytes { raw in
                try compressor.compress(UnsafeRawBufferPointer(rebasing: raw[..<count])) { output.append(contentsOf: $0) }
            }
        }
        try compressor.finish { output.append(contentsOf: $0) }
        return output
    }
}

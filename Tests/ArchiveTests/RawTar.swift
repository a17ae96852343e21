/// Hand-written tar headers for crafting hostile archives, independent of the
/// module's writer so its bugs cannot hide in both.
struct RawTar {
    var bytes: [UInt8] = []

    mutating func header(
        _ name: String, typeflag: Character = "0", size: Int = 0, linkname: String = "", mode: Int = 0o644,
        mtime: Int = 1_600_000_000, magic: String = "ustar\u{0}00", corruptChecksum: Bool = false
    ) {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, _ offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, _ offset: Int, _ width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, offset)
        }
        put(name, 0)
        octal(mode, 100, 8)
        octal(0, 108, 8)
        octal(0, 116, 8)
        octal(size, 124, 12)
        octal(mtime, 136, 12)
        block[156] = typeflag.asciiValue!
        put(linkname, 157)
        put(magic, 257)
        let sum = block.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
        octal(corruptChecksum ? sum + 1 : sum, 148, 7)
        bytes += block
    }

    mutating func data(_ content: [UInt8]) {
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    mutating func file(_ name: String, _ content: String, mode: Int = 0o644) {
        header(name, size: content.utf8.count, mode: mode)
        data(Array(content.utf8))
    }

    mutating func pax(_ records: [(String, String)]) {
        var payload: [UInt8] = []
        for (key, value) in records {
            let body = key.utf8.count + value.utf8.count + 3
            var length = body + 1
            while length != body + String(length).count { length = body + String(length).count }
            payload += Array("\(length) \(key)=\(value)\n".utf8)
        }
        header("PaxHeaders/x", typeflag: "x", size: payload.count)
        data(payload)
    }

    mutating func end() {
        bytes += [UInt8](repeating: 0, count: 1024)
    }
}

/// Layout of the POSIX ustar header (POSIX.1-2017, pax "ustar Interchange Format")
/// and the small numeric helpers both the writer and the reader use.
enum TarFormat {
    static let blockSize = 512
    /// Two zero blocks end an archive.
    static let endOfArchiveLength = 2 * blockSize

    // Field byte ranges inside the 512-byte header block.
    static let name = 0..<100
    static let mode = 100..<108
    static let uid = 108..<116
    static let gid = 116..<124
    static let size = 124..<136
    static let mtime = 136..<148
    static let checksum = 148..<156
    static let typeflag = 156
    static let linkname = 157..<257
    static let magic = 257..<263
    static let version = 263..<265
    static let uname = 265..<297
    static let gname = 297..<329
    static let devmajor = 329..<337
    static let devminor = 337..<345
    static let prefix = 345..<500

    /// "ustar\0" followed by version "00": POSIX ustar and pax.
    static let ustarMagic: [UInt8] = Array("ustar".utf8) + [0]
    static let ustarVersion: [UInt8] = Array("00".utf8)
    /// "ustar  \0": the old GNU format, which has no prefix field.
    static let gnuMagic: [UInt8] = Array("ustar ".utf8)
    static let gnuVersion: [UInt8] = [UInt8(ascii: " "), 0]

    enum TypeFlag {
        static let regular = UInt8(ascii: "0")
        static let regularOld: UInt8 = 0
        static let hardLink = UInt8(ascii: "1")
        static let symlink = UInt8(ascii: "2")
        static let characterDevice = UInt8(ascii: "3")
        static let blockDevice = UInt8(ascii: "4")
        static let directory = UInt8(ascii: "5")
        static let fifo = UInt8(ascii: "6")
        static let contiguous = UInt8(ascii: "7")
        static let paxExtended = UInt8(ascii: "x")
        static let paxGlobal = UInt8(ascii: "g")
        static let gnuLongName = UInt8(ascii: "L")
        static let gnuLongLink = UInt8(ascii: "K")
    }

    /// Largest value an octal field of `width` bytes holds with its NUL terminator.
    static func maxOctal(width: Int) -> Int64 {
        (Int64(1) << (3 * Int64(width - 1))) - 1
    }

    /// The largest entry the reader believes (4 EiB): no file is near it, and sizes up to it
    /// can be padded, added and compared without overflowing.
    static let largestEntrySize: Int64 = 1 << 62

    /// `length` (at most `largestEntrySize`) rounded up to whole blocks.
    static func paddedLength(_ length: Int64) -> Int64 {
        (length + Int64(blockSize) - 1) / Int64(blockSize) * Int64(blockSize)
    }

    static func padding(after length: Int64) -> Int {
        Int(paddedLength(length) - length)
    }

    /// The header checksum: the sum of all bytes with the checksum field read as spaces.
    /// The signed variant exists because some historic writers summed signed chars.
    static func checksums(of block: UnsafeRawBufferPointer) -> (unsigned: Int64, signed: Int64) {
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for index in 0..<blockSize {
            let byte = checksum.contains(index) ? UInt8(ascii: " ") : block[index]
            unsigned += Int64(byte)
            signed += Int64(Int8(bitPattern: byte))
        }
        return (unsigned, signed)
    }
}

/// Encodes the header blocks of one manifest entry: an optional pax extended
/// header (typeflag 'x') followed by the ustar header.
///
/// Every byte depends only on the entry, so equal trees give equal archives.
enum TarHeaderEncoder {
    /// A pax `comment` record of this many bytes, the least that carries an empty value,
    /// pads a header ("12 comment=\n"); readers ignore comments.
    static let smallestPaddingRecord = 12

    /// The entry's header blocks, `length` bytes long when given: a pax `comment` record
    /// pads it so the entry's data starts where the caller wants it (see
    /// `ArchiveManifest.aligningFiles`). `length` must be a whole number of blocks, at least
    /// `shortestPaddedLength(for:)`.
    static func headerBlocks(for entry: ArchiveEntry, length: Int? = nil) throws -> [UInt8] {
        var (pax, ustar, tarName) = try fields(for: entry)
        if let length, length != (pax.isEmpty ? TarFormat.blockSize : paxHeaderLength(pax) + TarFormat.blockSize) {
            let fill = length - 2 * TarFormat.blockSize - recordsLength(pax)
            guard length % TarFormat.blockSize == 0, fill >= smallestPaddingRecord else {
                throw ArchiveError(.invalidEntry, path: entry.path, "a header of \(length) bytes cannot be made for it")
            }
            pax.append(("comment", String(repeating: " ", count: commentValueLength(recordLength: fill))))
        }
        if pax.isEmpty {
            return ustar
        }
        return paxHeader(records: pax, for: entry, baseName: tarName) + ustar
    }

    /// The shortest padded header (a pax header with an empty comment) for `entry`, a whole
    /// number of blocks; any longer whole number of blocks can be made too.
    static func shortestPaddedLength(for entry: ArchiveEntry) throws -> Int {
        let (pax, _, _) = try fields(for: entry)
        let records = recordsLength(pax) + smallestPaddingRecord
        return 2 * TarFormat.blockSize + Int(TarFormat.paddedLength(Int64(records)))
    }

    /// The value length that makes a `comment` record `recordLength` bytes, or one byte less
    /// where that length cannot be had (the record counts its own length digits, so just
    /// below a power of ten one length is skipped); the data's padding then takes the byte.
    private static func commentValueLength(recordLength: Int) -> Int {
        for length in [recordLength, recordLength - 1] {
            let value = length - String(length).utf8.count - 10
            if value >= 0, paxRecord(key: "comment", value: String(repeating: " ", count: value)).count == length {
                return value
            }
        }
        return 0
    }

    private static func recordsLength(_ records: [(key: String, value: String)]) -> Int {
        records.reduce(0) { $0 + paxRecord(key: $1.key, value: $1.value).count }
    }

    private static func paxHeaderLength(_ records: [(key: String, value: String)]) -> Int {
        TarFormat.blockSize + Int(TarFormat.paddedLength(Int64(recordsLength(records))))
    }

    /// The pax records an entry needs, its ustar block, and its tar name.
    private static func fields(for entry: ArchiveEntry) throws -> (pax: [(key: String, value: String)], ustar: [UInt8], tarName: String) {
        var pax: [(key: String, value: String)] = []
        var ustar = [UInt8](repeating: 0, count: TarFormat.blockSize)

        let typeflag: UInt8
        var tarName = entry.path
        var linkTarget: String?
        switch entry.kind {
        case .file:
            typeflag = TarFormat.TypeFlag.regular
        case .directory:
            typeflag = TarFormat.TypeFlag.directory
            tarName += "/"
        case .symlink(let target):
            typeflag = TarFormat.TypeFlag.symlink
            linkTarget = target
        }

        let nameBytes = Array(tarName.utf8)
        if isASCII(nameBytes), let (prefix, name) = splitForUstar(nameBytes) {
            ustar.put(name, at: TarFormat.name)
            ustar.put(prefix, at: TarFormat.prefix)
        } else {
            pax.append(("path", tarName))
            ustar.put(asciiFallback(nameBytes, limit: TarFormat.name.count), at: TarFormat.name)
        }

        if let linkTarget {
            let targetBytes = Array(linkTarget.utf8)
            if isASCII(targetBytes), targetBytes.count <= TarFormat.linkname.count {
                ustar.put(targetBytes, at: TarFormat.linkname)
            } else {
                pax.append(("linkpath", linkTarget))
                ustar.put(asciiFallback(targetBytes, limit: TarFormat.linkname.count), at: TarFormat.linkname)
            }
        }

        ustar.putOctal(Int64(entry.mode), at: TarFormat.mode)
        ustar.putNumber(Int64(entry.uid), at: TarFormat.uid, paxKey: "uid", pax: &pax)
        ustar.putNumber(Int64(entry.gid), at: TarFormat.gid, paxKey: "gid", pax: &pax)
        ustar.putNumber(entry.size, at: TarFormat.size, paxKey: "size", pax: &pax)
        ustar.putNumber(entry.mtime, at: TarFormat.mtime, paxKey: "mtime", pax: &pax)
        ustar[TarFormat.typeflag] = typeflag
        ustar.putOctal(0, at: TarFormat.devmajor)
        ustar.putOctal(0, at: TarFormat.devminor)
        ustar.finishHeader()
        return (pax, ustar, tarName)
    }

    /// The 'x' header plus its records, padded to whole blocks.
    private static func paxHeader(records: [(key: String, value: String)], for entry: ArchiveEntry, baseName: String) -> [UInt8] {
        // Sorted keys make the record order independent of the code path that added them.
        var data: [UInt8] = []
        for record in records.sorted(by: { $0.key < $1.key }) {
            data += paxRecord(key: record.key, value: record.value)
        }

        var header = [UInt8](repeating: 0, count: TarFormat.blockSize)
        // A fixed name (no PID, unlike GNU tar's default) keeps the archive reproducible.
        let lastComponent = baseName.split(separator: "/").last.map(String.init) ?? "entry"
        let name = Array("PaxHeaders/".utf8) + Array(lastComponent.utf8)
        header.put(asciiFallback(name, limit: TarFormat.name.count), at: TarFormat.name)
        header.putOctal(0o644, at: TarFormat.mode)
        header.putOctal(0, at: TarFormat.uid)
        header.putOctal(0, at: TarFormat.gid)
        header.putOctal(Int64(data.count), at: TarFormat.size)
        header.putOctal(min(max(entry.mtime, 0), TarFormat.maxOctal(width: 12)), at: TarFormat.mtime)
        header[TarFormat.typeflag] = TarFormat.TypeFlag.paxExtended
        header.putOctal(0, at: TarFormat.devmajor)
        header.putOctal(0, at: TarFormat.devminor)
        header.finishHeader()

        let padding = TarFormat.padding(after: Int64(data.count))
        return header + data + [UInt8](repeating: 0, count: padding)
    }

    /// One pax record, "<length> <key>=<value>\n", where length counts the whole record
    /// including its own digits (POSIX.1-2017 pax, "pax Extended Header").
    static func paxRecord(key: String, value: String) -> [UInt8] {
        let body = key.utf8.count + value.utf8.count + 3  // space, '=', newline
        var length = body + 1
        while length != body + String(length).utf8.count {
            length = body + String(length).utf8.count
        }
        return Array("\(length) \(key)=\(value)\n".utf8)
    }

    /// Splits a name into ustar prefix (≤155 bytes) and name (≤100 bytes) at a '/',
    /// or returns nil if it cannot be split.
    static func splitForUstar(_ bytes: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        let nameLimit = TarFormat.name.count
        let prefixLimit = TarFormat.prefix.count
        if bytes.count <= nameLimit {
            return ([], bytes)
        }
        if bytes.count > prefixLimit + 1 + nameLimit {
            return nil
        }
        // The earliest slash that leaves at most 100 bytes of name; the name part must not be empty.
        let firstCandidate = bytes.count - nameLimit - 1
        for index in firstCandidate..<(bytes.count - 1) where bytes[index] == UInt8(ascii: "/") {
            if index > prefixLimit { return nil }
            if index == 0 { continue }
            return (Array(bytes[..<index]), Array(bytes[(index + 1)...]))
        }
        return nil
    }

    private static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }

    /// What ustar-only readers see when the real value lives in a pax record.
    private static func asciiFallback(_ bytes: [UInt8], limit: Int) -> [UInt8] {
        Array(bytes.prefix(limit).map { $0 < 0x80 ? $0 : UInt8(ascii: "_") })
    }
}

extension [UInt8] {
    fileprivate mutating func put(_ bytes: [UInt8], at field: Range<Int>) {
        precondition(bytes.count <= field.count)
        for (offset, byte) in bytes.enumerated() {
            self[field.lowerBound + offset] = byte
        }
    }

    /// Zero-padded octal digits filling the field, then a NUL.
    fileprivate mutating func putOctal(_ value: Int64, at field: Range<Int>) {
        precondition(value >= 0 && value <= TarFormat.maxOctal(width: field.count))
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: field.count - 1)
        var rest = value
        var index = digits.count - 1
        while rest > 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
            index -= 1
        }
        put(digits + [0], at: field)
    }

    /// Octal if it fits; otherwise a pax record carries the value and the field holds
    /// the nearest representable value.
    fileprivate mutating func putNumber(
        _ value: Int64, at field: Range<Int>, paxKey: String, pax: inout [(key: String, value: String)]
    ) {
        let maximum = TarFormat.maxOctal(width: field.count)
        if value >= 0 && value <= maximum {
            putOctal(value, at: field)
        } else {
            pax.append((paxKey, String(value)))
            putOctal(Swift.min(Swift.max(value, 0), maximum), at: field)
        }
    }

    /// Writes magic, version and checksum; call last.
    fileprivate mutating func finishHeader() {
        put(TarFormat.ustarMagic, at: TarFormat.magic)
        put(TarFormat.ustarVersion, at: TarFormat.version)
        let sum = withUnsafeBytes { TarFormat.checksums(of: $0).unsigned }
        // Six octal digits, NUL, space: the historic layout every reader accepts.
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 6)
        var rest = sum
        for index in stride(from: 5, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
        }
        put(digits + [0, UInt8(ascii: " ")], at: TarFormat.checksum)
    }
}

extension TarReader {
    /// Decodes the complete header in `headerBlock` and moves to the next state.
    mutating func processHeader(zeroBlocks: Int, _ handle: (TarEvent) throws -> Void) throws {
        let block = headerBlock
        if block.allSatisfy({ $0 == 0 }) {
            if zeroBlocks == 1 {
                enter(.end)
                try handle(.endOfArchive)
            } else {
                enter(.header(zeroBlocks: 1))
            }
            return
        }
        if zeroBlocks > 0 {
            throw ArchiveError.malformed(
                "a single zero block is followed by more headers; the archive is corrupt", offset: headerOffset - 512)
        }
        try verifyChecksum(block)
        let isGNU = try format(of: block)

        let typeflag = block[TarFormat.typeflag]
        guard let headerSize = Self.number(block, TarFormat.size) else {
            throw malformedField("size", block)
        }

        let extensionKind: ExtensionKind? =
            switch typeflag {
            case TarFormat.TypeFlag.paxExtended: .pax
            case TarFormat.TypeFlag.paxGlobal: .paxGlobal
            case TarFormat.TypeFlag.gnuLongName: .gnuLongName
            case TarFormat.TypeFlag.gnuLongLink: .gnuLongLink
            default: nil
            }
        if let extensionKind {
            let used = extensionKind == .paxGlobal ? globalBytes : pending.bytes
            guard headerSize <= Int64(limits.maxExtensionBytes - used) else {
                throw ArchiveError(
                    .limitExceeded, offset: headerOffset,
                    "extended header data exceeds \(limits.maxExtensionBytes) bytes; the archive is corrupt or hostile")
            }
            extensionBuffer = []
            extensionBuffer.reserveCapacity(Int(headerSize))
            let padding = TarFormat.padding(after: headerSize)
            if headerSize == 0 {
                try finishExtension(extensionKind)
                enter(.header(zeroBlocks: 0))
            } else {
                enter(.extensionData(extensionKind, remaining: Int(headerSize), padding: padding))
            }
            return
        }

        let entry = try makeEntry(block, typeflag: typeflag, headerSize: headerSize, isGNU: isGNU)
        pending = PendingExtensions()
        guard (0...TarFormat.largestEntrySize).contains(entry.size) else {
            throw ArchiveError.malformed(
                "entry declares \(entry.size) bytes, which no file has; the archive is corrupt or hostile",
                path: entry.path, offset: headerOffset)
        }
        guard entry.size <= limits.maxEntrySize else {
            throw ArchiveError(
                .limitExceeded, path: entry.path, offset: headerOffset,
                "entry declares \(entry.size) bytes, more than the limit of \(limits.maxEntrySize); raise the limit only if the archive is trusted")
        }
        try handle(.entry(entry))
        if entry.kind == .file && entry.size > 0 {
            currentPath = entry.path
            enter(.data(remaining: entry.size, padding: TarFormat.padding(after: entry.size)))
            return
        }
        try handle(.entryEnd)
        // Data of non-files (e.g. a GNU dumpdir) is not used but must be stepped over.
        enter(entry.size > 0 ? .skip(remaining: TarFormat.paddedLength(entry.size)) : .header(zeroBlocks: 0))
    }

    mutating func finishExtension(_ kind: ExtensionKind) throws {
        let data = extensionBuffer
        extensionBuffer = []
        switch kind {
        case .pax:
            pending.bytes += data.count
            try pending.apply(PaxRecords.parse(data, offset: headerOffset), global: false, offset: headerOffset)
        case .paxGlobal:
            globalBytes += data.count
            for (key, value) in try PaxRecords.parse(data, offset: headerOffset) {
                globalRecords[key] = value
            }
        case .gnuLongName, .gnuLongLink:
            pending.bytes += data.count
            let bytes = data.prefix { $0 != 0 }
            guard !bytes.isEmpty, let name = String(validating: bytes, as: UTF8.self) else {
                throw ArchiveError.malformed("GNU long name is empty or not valid UTF-8", offset: headerOffset)
            }
            if kind == .gnuLongName { pending.longName = name } else { pending.longLink = name }
        }
    }

    private func makeEntry(_ block: [UInt8], typeflag: UInt8, headerSize: Int64, isGNU: Bool) throws -> TarEntryHeader {
        var extensions = PendingExtensions()
        try extensions.apply(globalRecords.map { ($0.key, $0.value) }, global: true, offset: headerOffset)
        let local = pending
        extensions.uid = local.uid ?? extensions.uid
        extensions.gid = local.gid ?? extensions.gid
        extensions.mtime = local.mtime ?? extensions.mtime

        var path: String
        if let name = local.path ?? local.longName {
            path = name
        } else {
            path = try string(block, TarFormat.name, field: "name")
            let prefix = isGNU ? "" : try string(block, TarFormat.prefix, field: "prefix")
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        guard !path.isEmpty else {
            throw ArchiveError.malformed("entry has an empty name; the archive is corrupt", offset: headerOffset)
        }
        let link = try local.linkPath ?? local.longLink ?? string(block, TarFormat.linkname, field: "linkname")

        guard let mode = Self.number(block, TarFormat.mode) else { throw malformedField("mode", block, path: path) }
        guard let uid = extensions.uid ?? Self.number(block, TarFormat.uid) else { throw malformedField("uid", block, path: path) }
        guard let gid = extensions.gid ?? Self.number(block, TarFormat.gid) else { throw malformedField("gid", block, path: path) }
        guard let mtime = extensions.mtime ?? Self.number(block, TarFormat.mtime) else {
            throw malformedField("mtime", block, path: path)
        }
        let size = local.size ?? headerSize

        let kind: TarEntryHeader.Kind
        switch typeflag {
        case _ where local.sparse:
            kind = .unsupported(typeflag: UInt8(ascii: "S"))
        case TarFormat.TypeFlag.regularOld where path.hasSuffix("/"):
            // Pre-POSIX archives mark directories only by the trailing slash.
            kind = .directory
        case TarFormat.TypeFlag.regular, TarFormat.TypeFlag.regularOld, TarFormat.TypeFlag.contiguous:
            kind = .file
        case TarFormat.TypeFlag.directory:
            kind = .directory
        case TarFormat.TypeFlag.symlink:
            kind = .symlink(target: link)
        case TarFormat.TypeFlag.hardLink:
            kind = .hardLink(target: link)
        default:
            kind = .unsupported(typeflag: typeflag)
        }
        return TarEntryHeader(
            path: path, kind: kind, mode: UInt32(truncatingIfNeeded: mode & 0o7777), uid: uid, gid: gid, mtime: mtime,
            size: size, offset: headerOffset)
    }

    private func verifyChecksum(_ block: [UInt8]) throws {
        guard let stored = Self.number(block, TarFormat.checksum) else {
            throw malformedField("checksum", block)
        }
        let computed = block.withUnsafeBytes { TarFormat.checksums(of: $0) }
        guard stored == computed.unsigned || stored == computed.signed else {
            throw ArchiveError.malformed(
                "header checksum mismatch (stored \(stored), computed \(computed.unsigned)); the archive is corrupt",
                path: String(decoding: block[TarFormat.name].prefix { $0 != 0 }, as: UTF8.self), offset: headerOffset)
        }
    }

    /// True for the old GNU layout ("ustar  \0"), false for POSIX ustar/pax.
    private func format(of block: [UInt8]) throws -> Bool {
        let magic = Array(block[TarFormat.magic])
        if magic == TarFormat.ustarMagic { return false }
        if magic == TarFormat.gnuMagic && Array(block[TarFormat.version]) == TarFormat.gnuVersion { return true }
        throw ArchiveError.malformed(
            "header has no ustar or GNU magic; this is not a supported tar format (use ustar, pax or GNU)",
            offset: headerOffset)
    }

    private func string(_ block: [UInt8], _ field: Range<Int>, field name: String) throws -> String {
        let bytes = block[field].prefix { $0 != 0 }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ArchiveError.malformed("header field '\(name)' is not valid UTF-8", offset: headerOffset)
        }
        return text
    }

    private func malformedField(_ field: String, _ block: [UInt8], path: String? = nil) -> ArchiveError {
        ArchiveError.malformed("header field '\(field)' is not a valid number; the archive is corrupt", path: path, offset: headerOffset)
    }

    /// An octal field (optionally space/NUL padded) or GNU base-256 (high bit set).
    /// Negative base-256 values are rejected.
    static func number(_ block: [UInt8], _ field: Range<Int>) -> Int64? {
        let first = block[field.lowerBound]
        if first & 0x80 != 0 {
            guard first == 0x80 else { return nil }
            var value: Int64 = 0
            for byte in block[(field.lowerBound + 1)..<field.upperBound] {
                guard value <= Int64.max >> 8 else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        var index = field.lowerBound
        while index < field.upperBound && (block[index] == UInt8(ascii: " ") || block[index] == 0) { index += 1 }
        var value: Int64 = 0
        while index < field.upperBound, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(block[index]) {
            guard value <= Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(block[index] - UInt8(ascii: "0"))
            index += 1
        }
        while index < field.upperBound {
            guard block[index] == UInt8(ascii: " ") || block[index] == 0 else { return nil }
            index += 1
        }
        return value
    }
}

/// Parsing of pax extended header records, "<length> <key>=<value>\n"
/// (POSIX.1-2017 pax, "pax Extended Header"), and of the values we use.
enum PaxRecords {
    static func parse(_ bytes: [UInt8], offset: Int64) throws -> [(key: String, value: String)] {
        func malformed(_ why: String) -> ArchiveError {
            ArchiveError.malformed("pax extended header is malformed: \(why)", offset: offset)
        }
        var records: [(key: String, value: String)] = []
        var start = 0
        while start < bytes.count {
            var cursor = start
            var length = 0
            while cursor < bytes.count, let digit = decimalDigit(bytes[cursor]) {
                length = length * 10 + digit
                cursor += 1
                // A record cannot be longer than the header itself; 8 digits is far beyond the 1 MiB cap.
                if cursor - start > 8 { throw malformed("record length has too many digits") }
            }
            guard cursor > start, cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") else {
                throw malformed("record does not start with '<length> '")
            }
            let end = start + length
            guard length > cursor - start + 1, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\n") else {
                throw malformed("record length \(length) does not match its content")
            }
            let record = bytes[(cursor + 1)..<(end - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")), equals > record.startIndex else {
                throw malformed("record has no 'key=value'")
            }
            guard let key = String(validating: record[..<equals], as: UTF8.self),
                let value = String(validating: record[(equals + 1)...], as: UTF8.self)
            else {
                throw malformed("record is not valid UTF-8")
            }
            records.append((key, value))
            start = end
        }
        return records
    }

    /// A non-negative decimal integer such as a pax `size`, `uid` or `gid` value.
    static func integer(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ decimalDigit($0) != nil }) else { return nil }
        return Int64(text)
    }

    /// A pax time, "[-]seconds[.fraction]", rounded down to whole seconds.
    static func seconds(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let negative = parts[0].hasPrefix("-")
        let digits = negative ? parts[0].dropFirst() : parts[0]
        guard let whole = integer(String(digits)) else { return nil }
        var fractionNonZero = false
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ decimalDigit($0) != nil }) else { return nil }
            fractionNonZero = parts[1].utf8.contains { $0 != UInt8(ascii: "0") }
        }
        return negative ? -whole - (fractionNonZero ? 1 : 0) : whole
    }

    private static func decimalDigit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

/// Extension values (pax records, GNU long names) waiting for the next entry.
struct PendingExtensions {
    var path: String?
    var linkPath: String?
    var longName: String?
    var longLink: String?
    var size: Int64?
    var uid: Int64?
    var gid: Int64?
    var mtime: Int64?
    /// Set when a record says the entry is a GNU sparse file, which is not supported.
    var sparse = false
    /// Extension bytes gathered so far, against `TarReader.Limits.maxExtensionBytes`.
    var bytes = 0

    mutating func apply(_ records: [(key: String, value: String)], global: Bool, offset: Int64) throws {
        for (key, value) in records {
            func number(_ parse: (String) -> Int64?) throws -> Int64 {
                guard let number = parse(value), number >= 0 || key == "mtime" else {
                    throw ArchiveError.malformed("pax record \(key)=\(value) is not a valid number", offset: offset)
                }
                return number
            }
            switch key {
            case "path" where !global:
                path = try Self.checkedPath(value, key: key, offset: offset)
            case "linkpath" where !global:
                linkPath = try Self.checkedPath(value, key: key, offset: offset)
            case "size" where !global:
                size = try number(PaxRecords.integer)
            case "uid":
                uid = try number(PaxRecords.integer)
            case "gid":
                gid = try number(PaxRecords.integer)
            case "mtime":
                mtime = try number(PaxRecords.seconds)
            default:
                if key.hasPrefix("GNU.sparse.") { sparse = true }
            }
        }
    }

    static func checkedPath(_ value: String, key: String, offset: Int64) throws -> String {
        guard !value.isEmpty, !value.utf8.contains(0) else {
            throw ArchiveError.malformed("pax record '\(key)' is empty or contains a NUL byte", offset: offset)
        }
        return value
    }
}

/// Parsers for the string forms of settings, shared by the Deployfile and the
/// command-line flags so both accept exactly the same spellings.
public enum SettingParsers {
    /// The longest duration any setting takes (30 days, as a peer's job allows): far beyond
    /// any push, and far from where arithmetic on durations in milliseconds could overflow.
    static let maximumSeconds: Double = 30 * 24 * 3600

    /// A duration from `30`, `2.5`, `30s`, `500ms`, `5m`, `1h`, `1m30s`, `1h5m10s` (a bare
    /// number is seconds). Units must go from larger to smaller and appear at most once.
    /// Zero only when `allowZero`; never more than `maximumSeconds`.
    public static func duration(_ text: String, allowZero: Bool = true) throws -> Duration {
        try duration(seconds: try seconds(text), allowZero: allowZero, written: text)
    }

    /// Checks a number of seconds (from any syntax) the way `duration` does.
    static func duration(seconds: Double, allowZero: Bool, written: String) throws -> Duration {
        guard seconds.isFinite, seconds >= 0 else {
            throw invalid("duration '\(written)' is negative or not finite", remedy: durationHelp)
        }
        guard allowZero || seconds > 0 else {
            throw invalid("duration '\(written)' must be above zero", remedy: durationHelp)
        }
        guard seconds <= maximumSeconds else {
            throw invalid("duration '\(written)' is longer than 30 days, the most any setting takes", remedy: durationHelp)
        }
        return .seconds(seconds)
    }

    /// `duration` as seconds, for the Deployfile's number-or-string reader.
    static func seconds(_ text: String) throws -> Double {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else {
            throw invalid("empty duration", remedy: durationHelp)
        }
        if let seconds = Double(trimmed), trimmed.first != "+" {
            guard seconds >= 0, seconds.isFinite else {
                throw invalid("duration '\(text)' is negative or not finite", remedy: durationHelp)
            }
            return seconds
        }
        let units: [(name: String, seconds: Double)] = [("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001)]
        var total = 0.0
        var nextUnit = 0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard !number.isEmpty, let value = Double(number) else {
                throw invalid("'\(text)' is not a duration", remedy: durationHelp)
            }
            guard let position = units.firstIndex(where: { $0.name == unit.lowercased() }) else {
                let shown = unit.isEmpty ? "a number without unit inside" : "unknown unit '\(unit)'"
                throw invalid("'\(text)' is not a duration: \(shown)", remedy: durationHelp)
            }
            guard position >= nextUnit else {
                throw invalid("'\(text)' is not a duration: units must go from hours down to seconds, each once", remedy: durationHelp)
            }
            nextUnit = position + 1
            total += value * units[position].seconds
        }
        guard total.isFinite else {
            throw invalid("duration '\(text)' is not finite", remedy: durationHelp)
        }
        return total
    }

    /// Bytes from `1048576`, `512B`, `256KiB`, `1MiB`, `2GiB` (binary units only).
    public static func size(_ text: String) throws -> Int {
        let trimmed = text.trimmingSpaces()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces()
        guard !digits.isEmpty, let number = Int(digits) else {
            throw invalid("'\(text)' is not a size", remedy: sizeHelp)
        }
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[unit.lowercased()] else {
            if ["k", "kb", "m", "mb", "g", "gb", "t", "tb"].contains(unit.lowercased()) {
                throw invalid(
                    "size '\(text)' uses '\(unit)', which is ambiguous",
                    remedy: "write binary units such as \(digits)\(unit.prefix(1).uppercased())iB"
                )
            }
            throw invalid("'\(text)' is not a size: unknown unit '\(unit)'", remedy: sizeHelp)
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow else {
            throw invalid("size '\(text)' is too large", remedy: sizeHelp)
        }
        return bytes
    }

    /// Bits per second from `1000000000`, `100mbit`, `1gbit`, `2.5gbit/s`,
    /// `100M`, `10G` (decimal units; `M` means megabit, never megabyte).
    public static func linkRate(_ text: String) throws -> Double {
        let trimmed = text.trimmingSpaces()
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        var unit = trimmed.dropFirst(number.count).trimmingSpaces().lowercased()
        if unit.hasSuffix("/s") { unit = String(unit.dropLast(2)) }
        guard !number.isEmpty, let value = Double(number) else {
            throw invalid("'\(text)' is not a link rate", remedy: linkRateHelp)
        }
        let multipliers: [String: Double] = [
            "": 1, "bit": 1, "bps": 1,
            "k": 1e3, "kbit": 1e3, "kbps": 1e3,
            "m": 1e6, "mbit": 1e6, "mbps": 1e6,
            "g": 1e9, "gbit": 1e9, "gbps": 1e9,
            "t": 1e12, "tbit": 1e12, "tbps": 1e12,
        ]
        guard let multiplier = multipliers[unit] else {
            throw invalid("'\(text)' is not a link rate: unknown unit '\(unit)'", remedy: linkRateHelp)
        }
        return try linkRate(bitsPerSecond: value * multiplier, written: text)
    }

    /// Checks a rate (from any syntax) the way `linkRate` does: 1 kbit/s or more, finite.
    static func linkRate(bitsPerSecond rate: Double, written: String) throws -> Double {
        guard rate >= 1000, rate.isFinite else {
            throw invalid("link rate '\(written)' must be at least 1 kbit/s", remedy: linkRateHelp)
        }
        return rate
    }

    /// A rate cap (`--max-rate`, `transfer.max_rate`): a rate as `linkRate` reads it, 1 Mbit/s or
    /// more (below that one 16 KiB block takes longer than a peer waits for it), or `none`.
    public static func maxRate(_ text: String) throws -> Double? {
        if ["none", "off"].contains(text.trimmingSpaces().lowercased()) { return nil }
        return try maxRate(bitsPerSecond: try linkRate(text), written: text)
    }

    static func maxRate(bitsPerSecond rate: Double, written: String) throws -> Double {
        guard rate >= 1e6, rate <= 1e13 else {
            throw invalid("rate cap '\(written)' must be between 1 Mbit/s and 10 Tbit/s", remedy: "write a rate like 20mbit or 1gbit, or none for no cap")
        }
        return rate
    }

    static let durationHelp = "write seconds (30) or a duration like 30s, 5m, 1h, 1m30s"
    static let sizeHelp = "write bytes (1048576) or a size like 256KiB, 1MiB, 16MiB"
    static let linkRateHelp = "write bits per second or a rate like 100mbit, 1gbit, 10G (decimal bits)"

    private static func invalid(_ message: String, remedy: String) -> DeployError {
        DeployError(.invalidValue, message, remedy: remedy)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return String(self[start..<end])
    }
}

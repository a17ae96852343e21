/// Short human-readable numbers for plans and progress lines: binary byte
/// units, decimal bit rates, durations from milliseconds to days. Locale-free
/// on purpose, so output is the same on every machine and easy to grep.
public enum HumanUnits {
    /// `512 B`, `1.5 KiB`, `12.3 MiB`, `498 MiB`, `1.2 GiB`.
    public static func bytes(_ count: Int64) -> String {
        guard count >= 1024 || count <= -1024 else { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(count) / 1024
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(compact(value)) \(units[unit])"
    }

    /// Bytes per second, e.g. `85.2 MiB/s`.
    public static func byteRate(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite, abs(bytesPerSecond) < 9e18 else { return "-" }
        return bytes(Int64(bytesPerSecond.rounded())) + "/s"
    }

    /// Bits per second in decimal units: `100 Mbit/s`, `2.5 Gbit/s`.
    public static func bitRate(_ bitsPerSecond: Double) -> String {
        guard bitsPerSecond.isFinite else { return "-" }
        let units: [(String, Double)] = [("Tbit/s", 1e12), ("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)]
        for (name, scale) in units where bitsPerSecond >= scale {
            return "\(compact(bitsPerSecond / scale)) \(name)"
        }
        return "\(compact(bitsPerSecond)) bit/s"
    }

    /// `850 ms`, `12.3 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`.
    public static func duration(_ duration: Duration) -> String {
        self.duration(duration.inSeconds)
    }

    /// `duration(_:)` for a number of seconds.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "forever" }
        if seconds < 0 { return "-" + duration(-seconds) }
        // Whole hours below stay far inside Int64.
        guard seconds < 1e15 else { return "\(seconds) s" }
        if seconds == 0 { return "0 s" }
        if seconds < 1 {
            let millis = Int((seconds * 1000).rounded())
            if millis < 1000 { return "\(max(millis, 1)) ms" }
        }
        let tenths = (seconds * 10).rounded() / 10
        if tenths < 60 { return "\(decimal(tenths, fractionDigits: 1).strippingZeroFraction) s" }
        let total = Int64(seconds.rounded())
        func pair(_ big: Int64, _ bigUnit: String, _ small: Int64, _ smallUnit: String) -> String {
            small == 0 ? "\(big) \(bigUnit)" : "\(big) \(bigUnit) \(small) \(smallUnit)"
        }
        if total < 3600 { return pair(total / 60, "min", total % 60, "s") }
        let minutes = Int64((seconds / 60).rounded())
        if minutes < 24 * 60 { return pair(minutes / 60, "h", minutes % 60, "min") }
        let hours = Int64((seconds / 3600).rounded())
        return pair(hours / 24, "d", hours % 24, "h")
    }

    /// An integer with `,` between thousands: `1,234,567`.
    public static func count<Integer: BinaryInteger>(_ value: Integer) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// A count with its noun, singular or plural: "1 symlink", "2 symlinks", "1,024 pieces".
    public static func count<Integer: BinaryInteger>(_ value: Integer, _ noun: String, plural: String? = nil) -> String {
        count(value) + " " + (value == 1 ? noun : plural ?? noun + "s")
    }

    /// A fixed-point rendering with exactly `fractionDigits` digits after the point.
    public static func decimal(_ value: Double, fractionDigits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale: Double = 1
        for _ in 0..<max(0, fractionDigits) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        // Beyond Int64: Swift's own rendering (e.g. 1e+30), never a trap.
        guard scaled < 9e18 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let fraction = units % Int64(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard fractionDigits > 0 else { return "\(sign)\(whole)" }
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: fractionDigits - fractionText.count) + fractionText
        return "\(sign)\(whole).\(padded)"
    }

    /// One decimal below 100, none above, without a trailing `.0`.
    static func compact(_ value: Double) -> String {
        let digits = abs(value) < 99.95 ? 1 : 0
        return decimal(value, fractionDigits: digits).strippingZeroFraction
    }
}

extension String {
    /// `12.0` → `12`; `12.5` stays.
    fileprivate var strippingZeroFraction: String {
        hasSuffix(".0") ? String(dropLast(2)) : self
    }
}

extension Duration {
    /// Seconds as a floating-point number, for rates, reports and JSON.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds (rounded down), for the peer job's wire format.
    public var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

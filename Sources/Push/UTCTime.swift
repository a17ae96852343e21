import Glibc

/// The calendar fields of the current UTC time, as a release id names them.
enum UTCTime {
    static func now() -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var seconds = time(nil)
        var fields = tm()
        gmtime_r(&seconds, &fields)
        return (Int(fields.tm_year) + 1900, Int(fields.tm_mon) + 1, Int(fields.tm_mday),
                Int(fields.tm_hour), Int(fields.tm_min), Int(fields.tm_sec))
    }
}

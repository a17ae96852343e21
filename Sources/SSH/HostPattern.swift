/// One pattern of a `Host` line: `*` matches any run of characters, `?` one character, a
/// leading `!` negates. Case matters: `ssh` compares `Host` patterns with the host exactly as
/// it was given.
public struct HostPattern: Sendable, Equatable {
    public let negated: Bool
    let pattern: [UInt8]

    public init(_ text: String) {
        negated = text.hasPrefix("!")
        pattern = Array((negated ? String(text.dropFirst()) : text).utf8)
    }

    public func matches(_ host: String) -> Bool {
        Self.glob(pattern[...], Array(host.utf8)[...])
    }

    /// A `Host` line's patterns apply when one matches and no negated one does.
    public static func lineMatches(_ patterns: [HostPattern], _ host: String) -> Bool {
        var matched = false
        for pattern in patterns where pattern.matches(host) {
            if pattern.negated { return false }
            matched = true
        }
        return matched
    }

    /// Iterative wildcard matching with one backtrack point: linear in practice, never
    /// exponential on hostile patterns like `*a*a*a*b`.
    private static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*"), question = UInt8(ascii: "?")
        var p = pattern.startIndex, t = text.startIndex
        var starAt: Int?, resumeAt = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == star {
                starAt = p
                p += 1
                resumeAt = t
            } else if p < pattern.endIndex, pattern[p] == question || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star = starAt {
                p = star + 1
                resumeAt += 1
                t = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == star { p += 1 }
        return p == pattern.endIndex
    }
}

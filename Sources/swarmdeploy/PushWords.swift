/// The positional grammar of `push`: `DIR to DEST on HOSTS`, where any part may instead
/// come from `--to`/`--on` or the Deployfile.
struct PushWords: Equatable {
    var source: String?
    var destination: String?
    var hostsFile: String?

    /// Reads `[DIR] [to DEST] [on HOSTS]` in that order; the keywords are literal.
    static func parse(_ words: [String]) throws(CommandFailure) -> PushWords {
        var result = PushWords()
        var rest = words[...]
        if let first = rest.first, first != "to", first != "on" {
            result.source = first
            rest = rest.dropFirst()
        }
        while let keyword = rest.first {
            rest = rest.dropFirst()
            guard let value = rest.first else {
                throw .badInput("'\(keyword)' needs a value: push DIR to DEST on HOSTS")
            }
            rest = rest.dropFirst()
            switch keyword {
            case "to" where result.destination == nil:
                result.destination = value
            case "on" where result.hostsFile == nil:
                result.hostsFile = value
            case "to", "on":
                throw .badInput("'\(keyword)' is given twice: push DIR to DEST on HOSTS")
            default:
                throw .badInput(
                    "unexpected '\(keyword)': push takes DIR to DEST on HOSTS (the words 'to' and 'on' are literal)"
                )
            }
        }
        return result
    }
}

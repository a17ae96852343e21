import DeployConfiguration

/// Options that may be given bare or with a value: `--gzip` means `--gzip=1` (see SettingParsers.defaultGzipLevel).
///
/// swift-argument-parser has no optional-value options, and a bare `--gzip` followed by a
/// positional argument would swallow that argument as its value; rewriting bare uses to their
/// default before parsing keeps `pack dir --gzip -o x` and `--gzip=9` both working.
enum OptionalValueOptions {
    static let defaults: [String: String] = ["--gzip": String(SettingParsers.defaultGzipLevel)]

    static func expand(_ arguments: [String]) -> [String] {
        var expanded: [String] = []
        var passthrough = false
        for argument in arguments {
            if passthrough || argument == "--" {
                passthrough = true
                expanded.append(argument)
            } else if let value = defaults[argument] {
                expanded.append("\(argument)=\(value)")
            } else {
                expanded.append(argument)
            }
        }
        return expanded
    }
}

/// The keys a Deployfile may contain, by section, and the "did you mean"
/// suggestions for keys that are not among them.
enum DeployfileSchema {
    static let topLevel = ["source", "destination", "hosts", "ssh", "transfer", "deploy", "hooks"]

    static let sections: [String: [String]] = [
        "ssh": ["user", "port", "identity", "known_hosts", "accept_new_host_keys", "parallel", "connect_timeout", "sudo", "config"],
        "transfer": ["piece_size", "compress", "gzip", "reuse", "trackers", "builtin_tracker", "listen", "link_rate", "max_rate", "seed_grace", "peer_selection",
            "web_seeds", "local_seed"],
        "deploy": [
            "timeout", "stall_timeout", "max_failures", "keep_previous", "layout", "keep_releases", "activate", "canary", "batch", "owner",
        ],
        "hooks": [
            "before_activate", "after_activate", "health_check", "timeout", "health_timeout", "health_retries", "health_interval",
        ],
    ]

    /// Every key with its full dotted name, e.g. `ssh.port`.
    static var allDottedKeys: [String] {
        topLevel.filter { sections[$0] == nil }
            + sections.keys.sorted().flatMap { section in sections[section]!.map { "\(section).\($0)" } }
    }

    /// The closest known key: a near spelling in the same section first, then
    /// the same key in another place (`port` at the top is `ssh.port`).
    static func suggestion(for key: String, among known: [String], section: String?) -> String? {
        let normalized = String(key.lowercased().map { $0 == "-" ? "_" : $0 })
        if known.contains(normalized) { return normalized }
        let best = known
            .map { (key: $0, distance: editDistance(normalized, $0)) }
            .min { $0.distance < $1.distance }
        if let best, best.distance <= min(3, max(2, best.key.count / 3)) {
            return best.key
        }
        let here = section.map { "\($0)." } ?? ""
        let elsewhere = allDottedKeys.filter { dotted in
            let last = dotted.split(separator: ".").last.map(String.init) ?? dotted
            return last == normalized && dotted != here + normalized
        }
        if let first = elsewhere.first { return first }
        if section != nil, topLevel.contains(normalized) { return normalized + " (at the top level)" }
        return nil
    }

    /// Levenshtein distance; keys are short, so the quadratic table is fine.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

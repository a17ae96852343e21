import Bencode

extension HookCommands {
    /// The job's "hooks" dictionary: only the commands given, and the limits.
    var bencoded: BencodeValue {
        var dictionary = BencodeDictionary()
        if let beforeActivate { dictionary["before activate"] = .string(beforeActivate) }
        if let afterActivate { dictionary["after activate"] = .string(afterActivate) }
        if let healthCheck { dictionary["health check"] = .string(healthCheck) }
        dictionary["hook timeout ms"] = .integer(hookTimeoutMilliseconds)
        dictionary["health timeout ms"] = .integer(healthTimeoutMilliseconds)
        dictionary["health retries"] = .integer(Int64(healthRetries))
        dictionary["health interval ms"] = .integer(healthIntervalMilliseconds)
        return .dictionary(dictionary)
    }

    init(bencoded value: BencodeValue) throws(PeerJobError) {
        guard value.dictionary != nil else { throw PeerJobError("the job's \"hooks\" is not a dictionary") }
        func command(_ key: String) throws(PeerJobError) -> String? {
            guard let raw = value[key] else { return nil }
            guard let text = raw.string, !text.isEmpty, text.utf8.count <= 64 * 1024 else {
                throw PeerJobError("the job's hook \"\(key)\" is not a command of 1 to 65536 bytes")
            }
            return text
        }
        func milliseconds(_ key: String, default fallback: Int64) throws(PeerJobError) -> Int64 {
            guard let raw = value[key] else { return fallback }
            guard let number = raw.integer, number > 0, number <= PeerJob.maximumMilliseconds else {
                throw PeerJobError("the job's \"\(key)\" is not a duration between 1 ms and 30 days")
            }
            return number
        }
        let defaults = HookCommands()
        let retries = value["health retries"].map { $0.integer ?? -1 } ?? Int64(defaults.healthRetries)
        guard (0...1000).contains(retries) else { throw PeerJobError("the job's \"health retries\" is not 0 to 1000") }
        self.init(
            beforeActivate: try command("before activate"),
            afterActivate: try command("after activate"),
            healthCheck: try command("health check"),
            hookTimeoutMilliseconds: try milliseconds("hook timeout ms", default: defaults.hookTimeoutMilliseconds),
            healthTimeoutMilliseconds: try milliseconds("health timeout ms", default: defaults.healthTimeoutMilliseconds),
            healthRetries: Int(retries),
            healthIntervalMilliseconds: try milliseconds("health interval ms", default: defaults.healthIntervalMilliseconds)
        )
    }
}

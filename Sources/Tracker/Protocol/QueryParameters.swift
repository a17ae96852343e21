/// A query string split into percent-decoded name/value pairs, in order; the one splitter
/// both announce and scrape use. Values are raw bytes: info-hashes and peer ids are binary.
enum QueryParameters {
    static func parse(_ query: [UInt8]) throws(TrackerError) -> [(name: String, value: [UInt8])] {
        var pairs: [(name: String, value: [UInt8])] = []
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[pair.startIndex..<(equals ?? pair.endIndex)]
            let rawValue = equals.map { pair[($0 + 1)..<pair.endIndex] } ?? []
            let name = try decode(rawName, at: pair.startIndex)
            let value = try decode(rawValue, at: (equals ?? pair.endIndex) + 1)
            // Names we care about are ASCII; anything else cannot match one.
            guard let key = String(validating: name, as: UTF8.self) else { continue }
            pairs.append((key, value))
        }
        return pairs
    }

    private static func decode(_ component: ArraySlice<UInt8>, at offset: Int) throws(TrackerError) -> [UInt8] {
        switch PercentEncoding.decode(component) {
        case .success(let bytes):
            return bytes
        case .failure(let failure):
            throw TrackerError(.malformedQuery(
                "bad percent escape at byte \(offset + failure.offset); expected '%' and two hex digits"))
        }
    }
}

import Bencode

/// Typed access to one dictionary of a torrent, turning every absent key or
/// wrong type into a `MetainfoError` that names the full key ("info.length").
struct MetainfoReader {
    let dictionary: BencodeDictionary
    /// The dotted key path of this dictionary; nil at the top level.
    let path: String?

    init(_ value: BencodeValue, path: String?, expected: String) throws(MetainfoError) {
        guard case .dictionary(let dictionary) = value else {
            throw .wrongType(key: path ?? "(top level)", expected: expected, found: value.typeName)
        }
        self.dictionary = dictionary
        self.path = path
    }

    func keyPath(_ key: String) -> String {
        path.map { "\($0).\(key)" } ?? key
    }

    func value(_ key: String) -> BencodeValue? {
        dictionary[key]
    }

    func required(_ key: String) throws(MetainfoError) -> BencodeValue {
        guard let value = dictionary[key] else {
            throw .missingKey(keyPath(key))
        }
        return value
    }

    func dictionary(_ key: String) throws(MetainfoError) -> MetainfoReader {
        try MetainfoReader(required(key), path: keyPath(key), expected: "dictionary")
    }

    func integer(_ key: String) throws(MetainfoError) -> Int64 {
        try integer(key, required(key))
    }

    func optionalInteger(_ key: String) throws(MetainfoError) -> Int64? {
        guard let value = dictionary[key] else { return nil }
        return try integer(key, value)
    }

    func bytes(_ key: String) throws(MetainfoError) -> [UInt8] {
        try bytes(key, required(key))
    }

    func optionalBytes(_ key: String) throws(MetainfoError) -> [UInt8]? {
        guard let value = dictionary[key] else { return nil }
        return try bytes(key, value)
    }

    func string(_ key: String) throws(MetainfoError) -> String {
        try string(keyPath(key), bytes(key))
    }

    func optionalString(_ key: String) throws(MetainfoError) -> String? {
        guard let bytes = try optionalBytes(key) else { return nil }
        return try string(keyPath(key), bytes)
    }

    /// BEP 12: "announce-list" is a list of tiers, each a list of tracker URLs.
    func trackerTiers(_ key: String) throws(MetainfoError) -> [[String]] {
        guard let value = dictionary[key] else { return [] }
        guard case .list(let tiers) = value else {
            throw .wrongType(key: keyPath(key), expected: "list of tracker tiers", found: value.typeName)
        }
        var result: [[String]] = []
        for (tierIndex, tier) in tiers.enumerated() {
            let tierPath = "\(keyPath(key))[\(tierIndex)]"
            guard case .list(let urls) = tier else {
                throw .wrongType(key: tierPath, expected: "list of tracker URLs", found: tier.typeName)
            }
            var tierURLs: [String] = []
            for (urlIndex, url) in urls.enumerated() {
                let urlPath = "\(tierPath)[\(urlIndex)]"
                guard case .bytes(let bytes) = url else {
                    throw .wrongType(key: urlPath, expected: "byte string", found: url.typeName)
                }
                tierURLs.append(try string(urlPath, bytes))
            }
            if !tierURLs.isEmpty {
                result.append(tierURLs)
            }
        }
        return result
    }

    /// BEP 19: "url-list" is one URL or a list of them. Empty strings are dropped.
    func urlList(_ key: String) throws(MetainfoError) -> [String] {
        guard let value = dictionary[key] else { return [] }
        let items: [BencodeValue]
        switch value {
        case .bytes: items = [value]
        case .list(let list): items = list
        default: throw .wrongType(key: keyPath(key), expected: "URL or list of URLs", found: value.typeName)
        }
        var urls: [String] = []
        for (index, item) in items.enumerated() {
            guard case .bytes(let bytes) = item else {
                throw .wrongType(key: "\(keyPath(key))[\(index)]", expected: "byte string", found: item.typeName)
            }
            let url = try string("\(keyPath(key))[\(index)]", bytes)
            if !url.isEmpty { urls.append(url) }
        }
        return urls
    }

    private func integer(_ key: String, _ value: BencodeValue) throws(MetainfoError) -> Int64 {
        guard case .integer(let integer) = value else {
            throw .wrongType(key: keyPath(key), expected: "integer", found: value.typeName)
        }
        return integer
    }

    private func bytes(_ key: String, _ value: BencodeValue) throws(MetainfoError) -> [UInt8] {
        guard case .bytes(let bytes) = value else {
            throw .wrongType(key: keyPath(key), expected: "byte string", found: value.typeName)
        }
        return bytes
    }

    private func string(_ fullKey: String, _ bytes: [UInt8]) throws(MetainfoError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidValue(key: fullKey, reason: "it is not valid UTF-8 text")
        }
        return text
    }
}

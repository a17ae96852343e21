import Bencode
import TestSupport

/// Random bencode values covering the awkward corners: extreme integers,
/// empty and binary strings, keys that share prefixes, nested containers.
enum RandomBencode {
    static func value(depth: Int = 0, using generator: inout SplitMix64) -> BencodeValue {
        let containers = depth < 5
        switch Int.random(in: 0..<(containers ? 4 : 2), using: &generator) {
        case 0:
            return .integer(integer(using: &generator))
        case 1:
            return .bytes(bytes(maximumCount: 40, using: &generator))
        case 2:
            let count = Int.random(in: 0...5, using: &generator)
            return .list((0..<count).map { _ in value(depth: depth + 1, using: &generator) })
        default:
            var dictionary = BencodeDictionary()
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                // Short keys from a small alphabet collide and share prefixes often.
                let key = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "B"), 0x00, 0xFF].randomElement(using: &generator)!
                }
                dictionary[key] = value(depth: depth + 1, using: &generator)
            }
            return .dictionary(dictionary)
        }
    }

    static func integer(using generator: inout SplitMix64) -> Int64 {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: [0, 1, -1, .max, .min, .max - 1, .min + 1].randomElement(using: &generator)!
        case 1: Int64.random(in: -1000...1000, using: &generator)
        default: Int64(bitPattern: generator.next())
        }
    }

    static func bytes(maximumCount: Int, using generator: inout SplitMix64) -> [UInt8] {
        (0..<Int.random(in: 0...maximumCount, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        }
    }
}

// Feeds arbitrary bytes to BencodeDecoder.decodeDocument, as torrents, jobs and tracker replies are read.
// Checks that accepted input re-encodes to itself, decodes again to the same value, and that raw ranges match.
import Bencode
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBencode(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    let document: BencodeDocument
    do {
        document = try BencodeDecoder().decodeDocument(bytes)
    } catch {
        expect((0...bytes.count).contains(error.offset), "error offset \(error.offset) outside the input")
        _ = error.description
        return 0
    }
    // The decoder accepts only the canonical encoding, so the round trip is exact.
    let encoded = BencodeEncoder.encode(document.root)
    expect(encoded == bytes, "re-encoding differs from the accepted input")
    expect((try? BencodeDecoder().decode(encoded)) == document.root, "re-encoded value decodes differently")
    expect(document.rawRange(at: []) == 0..<bytes.count, "the root's range is not the whole input")

    // Every nested value's raw bytes are its own canonical encoding.
    var budget = 512
    checkChildren(of: document.root, at: [], in: document, budget: &budget)

    // A tighter depth limit (tracker replies use 4) refuses exactly the deeper values.
    let depth = nesting(of: document.root)
    let shallow = try? BencodeDecoder(limits: .init(maximumDepth: 4)).decode(bytes)
    expect((shallow != nil) == (depth <= 4), "depth limit 4 misjudged a value nested \(depth) deep")
    return 0
}

private func checkChildren(of value: BencodeValue, at path: [BencodePathComponent], in document: BencodeDocument, budget: inout Int) {
    var children: [(BencodePathComponent, BencodeValue)] = []
    switch value {
    case .list(let list):
        children = list.enumerated().map { (.index($0.offset), $0.element) }
    case .dictionary(let dictionary):
        children = dictionary.entries.map { (.key($0.key), $0.value) }
    case .integer, .bytes:
        return
    }
    for (component, child) in children {
        guard budget > 0 else { return }
        budget -= 1
        let childPath = path + [component]
        guard let raw = document.rawBytes(at: childPath) else {
            expect(false, "no raw range for an existing value at \(childPath)")
            return
        }
        expect(Array(raw) == BencodeEncoder.encode(child), "raw bytes at \(childPath) are not the value's encoding")
        checkChildren(of: child, at: childPath, in: document, budget: &budget)
    }
}

/// How deep lists and dictionaries nest (a scalar is 0, a top-level list 1).
private func nesting(of value: BencodeValue) -> Int {
    switch value {
    case .integer, .bytes: return 0
    case .list(let list): return 1 + (list.map(nesting).max() ?? 0)
    case .dictionary(let dictionary): return 1 + (dictionary.entries.map { nesting(of: $0.value) }.max() ?? 0)
    }
}

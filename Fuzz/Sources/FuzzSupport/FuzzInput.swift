/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, as an array. The pointer may be
/// nil for the empty input.
public func fuzzBytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let start = start, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: start, count: count))
}

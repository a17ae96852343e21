/// Stops the run when an invariant does not hold, so libFuzzer saves the input as a crash.
/// Parsers may reject any input; what they accept must be consistent.
public func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition {
        fatalError("fuzz invariant broken: \(message())", file: file, line: line)
    }
}

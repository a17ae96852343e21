// Feeds the peer's standard input (job header line, bencoded job, then lines) to PeerJob as JobInput reads it,
// and every line to PeerEvent(line:). Checks a job re-encodes to the same job, and event lines reach a fixed point.
import DeployProtocol
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPeerJob(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    if let job = readJob(bytes) {
        let encoded = job.encoded()
        expect(readJob(encoded) == job, "the job's own encoding reads back as another job")
    }
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        checkEvent(String(decoding: line, as: UTF8.self))
    }
    return 0
}

/// As the peer reads standard input: a header line of at most 200 bytes, then the body.
private func readJob(_ bytes: [UInt8]) -> PeerJob? {
    guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")), newline <= 200 else { return nil }
    let length: Int
    do {
        length = try PeerJob.bodyLength(fromHeader: String(decoding: bytes[..<newline], as: UTF8.self))
    } catch {
        _ = error.description
        return nil
    }
    expect(length > 0 && length <= PeerJob.maximumLength, "header accepted a body of \(length) bytes")
    let body = bytes.dropFirst(newline + 1).prefix(length)
    guard body.count == length else { return nil }
    do {
        return try PeerJob(body: Array(body))
    } catch {
        _ = error.description
        return nil
    }
}

/// The controller reads peer lines; an event's own line is an event that prints the same line.
private func checkEvent(_ line: String) {
    guard let event = PeerEvent(line: line) else { return }
    let printed = event.line
    guard let again = PeerEvent(line: printed) else {
        expect(false, "event line '\(printed)' (from '\(line)') is not an event")
        return
    }
    expect(again.line == printed, "event line '\(printed)' prints again as '\(again.line)'")
}

// Feeds a file's bytes, read as the CLI reads it (UTF-8 text), to HostsFile.parse.
// Checks each accepted host line, written back as [user@]host[:port] key=value, parses to the same entry.
import DeployConfiguration
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHostsFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    guard let text = String(data: Data(bytes), encoding: .utf8) else { return 0 }
    let entries: [HostEntry]
    do {
        entries = try HostsFile.parse(text, path: "hosts", defaultPort: 22)
    } catch {
        _ = "\(error)"
        return 0
    }
    expect(!entries.isEmpty, "an accepted hosts file has no hosts")
    expect(zip(entries, entries.dropFirst()).allSatisfy { $0.line < $1.line }, "entries are out of line order")

    let rewritten = entries.map(line(for:)).joined(separator: "\n")
    let reparsed: [HostEntry]
    do {
        reparsed = try HostsFile.parse(rewritten, path: "hosts", defaultPort: 22)
    } catch {
        expect(false, "the hosts written back are refused: \(error)\n\(rewritten)")
        return 0
    }
    expect(reparsed.count == entries.count, "\(entries.count) hosts written back became \(reparsed.count)")
    for (entry, again) in zip(entries, reparsed) {
        expect(
            entry.user == again.user && entry.address == again.address && entry.labels == again.labels,
            "host line \(entry.line) written back as '\(line(for: entry))' parses differently")
    }
    return 0
}

/// Tabs between the parts: a space could join a grapheme with the character before it.
private func line(for entry: HostEntry) -> String {
    let login = (entry.user.map { $0 + "@" } ?? "") + entry.address.description
    return ([login] + entry.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: "\t")
}

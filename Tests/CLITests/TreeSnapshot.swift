import Foundation

/// A comparable picture of a directory tree: every entry's kind, permission bits and content.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    enum Entry: Equatable {
        case file(mode: Int, sha: Data)
        case directory(mode: Int)
        case symlink(target: String)
    }

    let entries: [String: Entry]

    init(_ root: String) throws {
        var entries: [String: Entry] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int) ?? -1
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                entries[relative] = .symlink(target: try manager.destinationOfSymbolicLink(atPath: path))
            case .typeDirectory?:
                entries[relative] = .directory(mode: mode)
            default:
                entries[relative] = .file(mode: mode, sha: try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        self.entries = entries
    }

    var description: String {
        entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: "\n")
    }
}

import Foundation

/// A fresh directory under the system temporary directory, removed when the
/// value is released.
final class TemporaryDirectory {
    let url: URL

    init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmdeploy-\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    @discardableResult
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let fileURL = file(name)
        try Data(bytes).write(to: fileURL)
        return fileURL
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: file(name)))
    }
}

import Foundation

/// Reads small UTF-8 configuration files with errors that say which file and why.
enum TextFile {
    static func read(_ path: String, what: String, remedy: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DeployError(.unreadableFile, "\(what) '\(path)' does not exist", remedy: remedy)
        }
        guard !isDirectory.boolValue else {
            throw DeployError(.unreadableFile, "\(what) '\(path)' is a directory", remedy: remedy)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeployError(.unreadableFile, "\(what) '\(path)' cannot be read", remedy: "check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DeployError(.unreadableFile, "\(what) '\(path)' is not UTF-8 text", remedy: "save it as UTF-8")
        }
        return text
    }
}

import Foundation

/// Every report and plan the commands print as JSON: pretty, keys sorted, slashes plain.
enum JSONOutput {
    static func text<T: Encodable>(_ value: T) throws(CommandFailure) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .controller("cannot encode the report as JSON: \(error)")
        }
    }
}

import DeployConfiguration
import Foundation

/// The first two layers of settings every command shares: the built-in
/// defaults, then the Deployfile (`--deployfile`, else ./Deployfile when
/// present). Each command lays its own flags over the result.
enum BaseSettings {
    static func load(deployfile: String?) throws(CommandFailure) -> PushSettings {
        var settings = PushSettings.defaults
        let path = deployfile ?? (FileManager.default.fileExists(atPath: "Deployfile") ? "Deployfile" : nil)
        if let path {
            do {
                settings.apply(try Deployfile.load(path: path))
            } catch {
                throw .badInput(error)
            }
        }
        return settings
    }
}

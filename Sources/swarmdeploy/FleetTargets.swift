import DeployConfiguration
import Fleet
import Foundation

/// The SSH targets of a command's hosts (see `Fleet.hosts`): ssh_config lines that cannot be
/// honoured are said on standard error, and a configuration that cannot be used is bad input.
enum FleetTargets {
    static func hosts(_ entries: [HostEntry], settings: PushSettings) throws(CommandFailure) -> [FleetHost] {
        do {
            return try Fleet.hosts(entries, settings: settings, environment: ProcessInfo.processInfo.environment) { notice in
                StandardError.write("swarmdeploy: note: \(notice)\n")
            }
        } catch {
            throw .badInput("\(error)")
        }
    }
}

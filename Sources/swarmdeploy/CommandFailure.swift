import Glibc
import Push

/// The documented exit codes of `swarmdeploy`.
enum SwarmdeployExitCode: Int32 {
    case success = 0
    /// Something went wrong on the controller itself (I/O, an internal error).
    case controllerFailure = 1
    /// More hosts failed than `--max-failures` allows.
    case hostsFailed = 2
    /// Some hosts failed, but no more than `--max-failures` allows: the push counts as done.
    case partial = 3
    /// The arguments, hosts file, Deployfile or source directory are wrong; nothing was contacted.
    case badInput = 64
}

/// An error the command reports itself, with the exit code it maps to.
struct CommandFailure: Error {
    let exitCode: SwarmdeployExitCode
    let message: String

    static func badInput(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: .badInput, message: message)
    }

    static func badInput(_ error: any Error) -> CommandFailure {
        CommandFailure(exitCode: .badInput, message: String(describing: error))
    }

    static func controller(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: .controllerFailure, message: message)
    }

    func report() {
        let line = exitCode == .partial ? "swarmdeploy: \(message)\n" : "swarmdeploy: error: \(message)\n"
        StandardError.write(line)
    }
}

extension CommandFailure {
    /// Runs push work, turning its error into the exit code it maps to: the request's fault
    /// is bad input (64), anything else the controller's (1).
    static func push<T>(_ body: () throws(PushError) -> T) throws(CommandFailure) -> T {
        do {
            return try body()
        } catch {
            throw CommandFailure(exitCode: error.isBadInput ? .badInput : .controllerFailure, message: error.description)
        }
    }
}

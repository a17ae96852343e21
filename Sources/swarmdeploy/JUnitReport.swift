import Foundation

/// A JUnit XML report of one command over the fleet — one test case per host, failed with
/// the stage it reached and why, or skipped — for CI systems that show test results (GitLab,
/// Jenkins, GitHub Actions through a reporter). The elements and attributes are those the
/// common JUnit schema requires: `testsuites`, one `testsuite` (name, tests, failures, errors,
/// skipped, time, timestamp), `testcase` (name, classname, time), `failure` (message, type),
/// `skipped` (message), `system-out`.
struct JUnitReport {
    enum Outcome {
        case passed
        /// `type` is the stage the host reached (connect, download, health-check, ...).
        case failed(type: String, message: String)
        case skipped(message: String)
    }

    struct Case {
        /// The host as the hosts file names it.
        var name: String
        var seconds: Double
        var outcome: Outcome
        /// Lines worth keeping with the case (hook output, the command's output).
        var output: [String] = []
    }

    /// "swarmdeploy push", "swarmdeploy exec", ...
    var command: String
    /// What the command did, as the suite's name: "push build/ to /opt/app".
    var suite: String
    var started: Date
    var seconds: Double
    var cases: [Case]

    var xml: String {
        let failures = cases.count { if case .failed = $0.outcome { true } else { false } }
        let skipped = cases.count { if case .skipped = $0.outcome { true } else { false } }
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(Self.seconds(seconds))\""
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"\(Self.escape(command))\" \(counts)>",
            "  <testsuite name=\"\(Self.escape(suite))\" \(counts) timestamp=\"\(Self.timestamp(started))\">",
        ]
        let classname = Self.escape(command.replacingOccurrences(of: " ", with: "."))
        for testCase in cases {
            let opening = "    <testcase name=\"\(Self.escape(testCase.name))\" classname=\"\(classname)\" time=\"\(Self.seconds(testCase.seconds))\""
            var body: [String] = []
            switch testCase.outcome {
            case .passed: break
            case .failed(let type, let message):
                body.append("      <failure message=\"\(Self.escape(message))\" type=\"\(Self.escape(type))\">\(Self.escape(message))</failure>")
            case .skipped(let message):
                body.append("      <skipped message=\"\(Self.escape(message))\"/>")
            }
            if !testCase.output.isEmpty {
                body.append("      <system-out>\(Self.escape(testCase.output.joined(separator: "\n")))</system-out>")
            }
            lines += body.isEmpty ? [opening + "/>"] : [opening + ">"] + body + ["    </testcase>"]
        }
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }

    /// Text as XML character data or an attribute value: markup characters as entities, and
    /// characters XML 1.0 does not allow at all (most control characters) as `\xNN`, so a
    /// host's output cannot make the file unreadable.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n", "\t": escaped.unicodeScalars.append(scalar)
            case "\r": escaped += "&#13;"
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    escaped += "\\x" + String(format: "%02X", scalar.value & 0xFF)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%.3f", max(0, value.isFinite ? value : 0))
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The file `--junit` names: opened before any host is contacted (a path that cannot be
/// written is bad input, exit 64), written when the command ends, whatever its hosts did.
struct JUnitFile {
    private let sink: FileSink

    init?(path: String?) throws(CommandFailure) {
        guard let path else { return nil }
        do {
            sink = try FileSink(path: path)
        } catch let failure as CommandFailure {
            throw .badInput("--junit \(path): \(failure.message)")
        } catch {
            throw .badInput("--junit \(path): \(error)")
        }
    }

    func write(_ report: JUnitReport) throws(CommandFailure) {
        do {
            try sink.write(Array(report.xml.utf8))
            try sink.commit()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw .controller("cannot write the JUnit report to \(sink.path): \(error)")
        }
    }
}

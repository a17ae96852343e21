import DeployConfiguration
import Glibc
import Push

/// Shows a push as it happens, on standard error. On a terminal: a few lines redrawn in
/// place (overall progress, rate, ETA, hosts done, the slowest hosts). Otherwise (CI, a
/// pipe): one plain line per host event and an overall line every few seconds, without
/// control characters.
final class LiveView: @unchecked Sendable {
    private let interactive: Bool
    private let quiet: Bool
    private let title: String
    private let hostCount: Int
    private let started = ContinuousClock.now
    // Touched only under `lock`.
    private var lock = pthread_mutex_t()
    private var drawnLines = 0
    private var lastSample: (time: ContinuousClock.Instant, bytes: Int64)?
    private var rate: Double = 0
    private var lastPlainSummary = ContinuousClock.now

    init(title: String, hostCount: Int, quiet: Bool) {
        self.title = title
        self.hostCount = hostCount
        self.quiet = quiet
        interactive = isatty(STDERR_FILENO) == 1
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// A host event line ("name: what happened").
    func event(_ line: String) {
        guard !quiet else { return }
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if interactive {
            // Events scroll above the live block: erase it, print, redraw on the next tick.
            eraseBlock()
            StandardError.write(line + "\n")
        } else {
            StandardError.write("[\(elapsedText())] \(line)\n")
        }
    }

    /// Called a few times a second with the current board.
    func refresh(_ board: PushBoard) {
        guard !quiet else { return }
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let now = ContinuousClock.now
        let bytes = board.bytesDownloaded
        if let last = lastSample, now - last.time >= .seconds(1) {
            let seconds = (now - last.time).inSeconds
            rate = Double(bytes - last.bytes) / seconds
            lastSample = (now, bytes)
        } else if lastSample == nil {
            lastSample = (now, bytes)
        }
        let lines = summaryLines(board)
        if interactive {
            eraseBlock()
            StandardError.write(lines.joined(separator: "\n") + "\n")
            drawnLines = lines.count
        } else if now - lastPlainSummary >= .seconds(5) {
            lastPlainSummary = now
            StandardError.write("[\(elapsedText())] " + lines.dropFirst().joined(separator: "; ") + "\n")
        }
    }

    /// Removes the live block before the final report.
    func finish() {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if interactive { eraseBlock() }
    }

    private func summaryLines(_ board: PushBoard) -> [String] {
        let fraction = board.fraction
        let width = 30
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let elapsed = (ContinuousClock.now - started).inSeconds
        let eta = fraction > 0.02 && fraction < 1 ? " ETA \(HumanUnits.duration(elapsed * (1 - fraction) / fraction))" : ""
        var lines = [
            "\(title) — \(HumanUnits.duration(elapsed))",
            "[\(bar)] \(Int(fraction * 100))%  \(HumanUnits.byteRate(max(0, rate))) into the fleet\(eta)",
            "hosts: \(board.installed) of \(hostCount) installed, \(board.failed) failed",
        ]
        let slowest = board.slowest(3)
        if !slowest.isEmpty && board.installed > 0 {
            lines.append("slowest: " + slowest.map { "\($0.name) (\(Int($0.fraction * 100))%, \($0.phase.rawValue))" }.joined(separator: ", "))
        }
        return lines
    }

    private func eraseBlock() {
        guard drawnLines > 0 else { return }
        StandardError.write("\u{1B}[\(drawnLines)A\r\u{1B}[J")
        drawnLines = 0
    }

    private func elapsedText() -> String {
        let seconds = (ContinuousClock.now - started).inSeconds
        let tenths = Int((seconds * 10).rounded())
        let text = "\(tenths / 10).\(tenths % 10)s"
        return String(repeating: " ", count: max(0, 6 - text.count)) + text
    }
}

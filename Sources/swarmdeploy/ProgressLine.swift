import DeployConfiguration
import Glibc

/// Progress of one long step on standard error: a line redrawn in place on a terminal,
/// a plain line every quarter otherwise (CI logs get no control characters).
final class ProgressLine {
    private let label: String
    private let total: Int64
    private let interactive: Bool
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var lastQuarter = 0
    private var drewInPlace = false

    /// Work smaller than this finishes too fast for progress to help.
    private static let minimumTotal: Int64 = 64 << 20

    init(label: String, total: Int64, quiet: Bool = false) {
        self.label = label
        self.total = quiet || total < Self.minimumTotal ? 0 : total
        self.interactive = isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int64) {
        guard total > 0 else { return }
        if interactive {
            let now = ContinuousClock.now
            guard now - lastDraw >= .milliseconds(200) else { return }
            lastDraw = now
            StandardError.write("\r\u{1B}[K" + describe(done))
            drewInPlace = true
        } else {
            let quarter = Int(done * 4 / total)
            guard quarter > lastQuarter, quarter < 4 else { return }
            lastQuarter = quarter
            StandardError.write(describe(done) + "\n")
        }
    }

    func finish() {
        if drewInPlace { StandardError.write("\r\u{1B}[K") }
    }

    private func describe(_ done: Int64) -> String {
        let percent = Int(done * 100 / max(total, 1))
        let elapsed = (ContinuousClock.now - started).inSeconds
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        return "\(label): \(percent)% \(HumanUnits.bytes(done)) of \(HumanUnits.bytes(total)), \(HumanUnits.bytes(Int64(rate)))/s"
    }
}

import Dispatch
import Glibc

/// Waits for SIGINT or SIGTERM, so long-running commands (`tracker`, `seed`) shut down
/// cleanly — closing their sockets and telling trackers they leave — instead of dying.
enum TerminationSignal {
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "swarmdeploy.signals")
            let resumed = ResumeOnce(continuation)
            var sources: [DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    resumed.resume()
                    for source in sources { source.cancel() }
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    private final class ResumeOnce: @unchecked Sendable {
        // Touched only on the signal queue.
        private var continuation: CheckedContinuation<Void, Never>?

        init(_ continuation: CheckedContinuation<Void, Never>) {
            self.continuation = continuation
        }

        func resume() {
            continuation?.resume()
            continuation = nil
        }
    }
}

import DeployProtocol
import Glibc

/// Runs one hook on the host through the user's login shell (`$SHELL -c COMMAND`, as sshd runs
/// a command; /bin/sh when `SHELL` is unset), in the peer's working directory (the login
/// directory), with standard input from /dev/null and standard output and error read line by
/// line together. The hook is over when its shell exits: a background child it leaves (a
/// service it started) keeps running, and only what it wrote until then, or within a moment
/// after, is read. A hook that outlives its timeout is ended with its whole process group
/// (SIGTERM, then SIGKILL two seconds later) — also one that closed its output early and went
/// on. Blocks: run it on a thread of its own.
struct HookRunner {
    /// How one run ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case couldNotStart(String)

        var succeeded: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by signal \(signal)"
            case .timedOut: "timed out"
            case .couldNotStart(let reason): "could not start: \(reason)"
            }
        }
    }

    var command: String
    var environment: [String: String]
    var timeout: Duration
    /// The longest line passed on; the rest of a longer one is dropped.
    static let lineLimit = 4096

    /// Runs the hook to its end; `onLine` gets each line it writes, without the newline.
    func run(onLine: (String) -> Void) -> Ending {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return .couldNotStart("pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        // Only the hook gets the write end (as its output). pipe2 is not imported; the peer
        // starts no other child while a hook starts, so no one else can inherit these.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let started = spawn(output: writeEnd)
        close(writeEnd)
        guard case .success(let pid) = started else {
            close(readEnd)
            if case .failure(let reason) = started { return .couldNotStart(reason.description) }
            return .couldNotStart("unknown")
        }
        let status = readLines(from: readEnd, pid: pid, onLine: onLine)
        close(readEnd)
        guard let status else { return .timedOut }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    private struct SpawnFailure: Error, CustomStringConvertible { let description: String }

    private func spawn(output: Int32) -> Result<pid_t, SpawnFailure> {
        let shell = getenv("SHELL").map { String(cString: $0) }.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/bin/sh"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout ends whatever it started too; default signal
        // handling (the peer ignores SIGPIPE, which the hook must not inherit).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { merged[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        for (key, value) in environment { merged[key] = value }
        let arguments = [shell, "-c", command]
        let variables = merged.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings(variables) { envp in posix_spawn(&pid, shell, &actions, &attributes, argv, envp) }
        }
        guard result == 0 else { return .failure(SpawnFailure(description: "\(shell): \(String(cString: strerror(result)))")) }
        return .success(pid)
    }

    /// How long output is still read after the shell exited: what it wrote just before.
    static let drainAfterExit: Duration = .milliseconds(300)

    /// Reads the hook's lines until its shell exits (then a moment more) or the timeout passes.
    /// Returns the shell's wait status, or nil when it timed out and its process group was ended.
    private func readLines(from descriptor: Int32, pid: pid_t, onLine: (String) -> Void) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var outputOpen = true
        var exited: (status: Int32, drainUntil: ContinuousClock.Instant)?
        func flush() {
            onLine(String(decoding: line, as: UTF8.self))
            line.removeAll(keepingCapacity: true)
        }
        while true {
            let now = ContinuousClock.now
            if exited == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { exited = (status, now + Self.drainAfterExit) }
            }
            if let exited, !outputOpen || now >= exited.drainUntil {
                if !line.isEmpty { flush() }
                return exited.status
            }
            if exited == nil, now >= deadline { break }
            guard outputOpen else {
                // Output closed but the shell runs on: wait for it, within the timeout.
                usleep(20_000)
                continue
            }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let count = poll(&ready, 1, 50)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { continue }
            let read = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if read < 0 && errno == EINTR { continue }
            if read <= 0 {
                outputOpen = false
                continue
            }
            for byte in buffer[..<read] {
                if byte == UInt8(ascii: "\n") {
                    flush()
                } else if line.count < Self.lineLimit {
                    line.append(byte)
                }
            }
        }
        if !line.isEmpty { flush() }
        kill(-pid, SIGTERM)
        // Two seconds to end on SIGTERM, then SIGKILL for the group; the shell is reaped.
        for _ in 0..<20 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                kill(-pid, SIGKILL)
                return nil
            }
            usleep(100_000)
        }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return nil
    }
}

/// Runs `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return body(pointers + [nil])
}

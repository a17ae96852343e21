import CLibSSH2

/// A running command's standard input: the bytes given up front, then whatever `SSHInput`
/// supplies, then EOF. Written a window at a time so reading output never waits on it.
struct StdinFeeder {
    private var pending: [UInt8]
    private var offset = 0
    private let input: SSHInput?
    /// No more input will come (EOF follows once `pending` is sent).
    private var complete: Bool
    private var eofSent = false
    /// The last write or EOF would have blocked (EAGAIN): libssh2 holds that packet half-sent
    /// and refuses every other packet on the session (-39) until the same call is repeated.
    private var blocked = Blocked.none

    private enum Blocked { case none, write(count: Int), eof }

    init(_ initial: [UInt8], input: SSHInput?) {
        pending = initial
        self.input = input
        complete = input == nil
    }

    /// Wakes a wait for the socket when more input arrives; nil once all of it is in hand.
    var wakeDescriptor: Int32? { complete ? nil : input?.wakeDescriptor }

    /// Sends what it can without blocking; true if any byte left.
    mutating func pump(_ channel: OpaquePointer) -> Bool {
        var progressed = false
        if offset < pending.count {
            let count = min(pending.count - offset, 32 * 1024)
            let written = write(channel, count: count)
            blocked = written == LIBSSH2_ERROR_EAGAIN ? .write(count: count) : .none
            if written > 0 {
                offset += written
                progressed = true
            } else if written != LIBSSH2_ERROR_EAGAIN {
                // The command stopped reading (exited or closed stdin): drop the rest, as ssh does.
                offset = pending.count
            }
        }
        if offset >= pending.count, !complete, let input {
            let (more, closed) = input.take()
            pending = more
            offset = 0
            complete = closed
        }
        if offset >= pending.count, complete, !eofSent {
            eofSent = libssh2_channel_send_eof(channel) != LIBSSH2_ERROR_EAGAIN
            blocked = eofSent ? .none : .eof
        }
        return progressed
    }

    /// Repeats a write or EOF that would have blocked, so nothing stays half-sent when the
    /// channel closes (on a blocking session the repeat completes it). False while it still
    /// would block.
    mutating func finishBlocked(_ channel: OpaquePointer) -> Bool {
        let code: Int
        switch blocked {
        case .none: return true
        case .write(let count): code = write(channel, count: count)
        case .eof: code = Int(libssh2_channel_send_eof(channel))
        }
        if code == Int(LIBSSH2_ERROR_EAGAIN) { return false }
        blocked = .none
        return true
    }

    private func write(_ channel: OpaquePointer, count: Int) -> Int {
        pending.withUnsafeBytes { bytes in
            libssh2_channel_write_ex(channel, 0, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), count)
        }
    }
}

/// One of a command's output streams: read without blocking, cut into lines for the caller,
/// collected up to a limit, and finished once drained after the server's EOF.
struct OutputReader {
    let stream: SSHOutputStream
    private let collect: Bool
    private let limit: Int
    private(set) var collected: [UInt8] = []
    private(set) var finished = false
    private var splitter = LineSplitter()

    init(_ stream: SSHOutputStream, collect: Bool, limit: Int) {
        self.stream = stream
        self.collect = collect
        self.limit = limit
    }

    private var streamID: Int32 { stream == .stdout ? 0 : SSH_EXTENDED_DATA_STDERR }

    /// Reads what is there; true if any byte arrived. `failure` makes the error for a
    /// message and libssh2 code; `command` names the command in it.
    mutating func read(
        _ channel: OpaquePointer,
        into buffer: inout [UInt8],
        onLine: ((SSHOutputStream, String) -> Void)?,
        failure: (String, Int32?) -> SSHError,
        command: String
    ) throws(SSHError) -> Bool {
        guard !finished else { return false }
        let count = buffer.withUnsafeMutableBytes {
            libssh2_channel_read_ex(channel, streamID, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
        }
        if count == 0 {
            // Drained; the stream has ended once the server also sent EOF.
            finished = libssh2_channel_eof(channel) != 0
            return false
        }
        if count == LIBSSH2_ERROR_EAGAIN { return false }
        if count < 0 { throw failure("reading the output of `\(command)` failed", Int32(count)) }
        if collect, collected.count + count > limit {
            throw failure("`\(command)` wrote more than \(limit) bytes to \(stream.rawValue); raise the output limit or stop collecting output", nil)
        }
        buffer.withUnsafeBytes { all in
            let chunk = UnsafeRawBufferPointer(rebasing: all[0..<count])
            if collect { collected.append(contentsOf: chunk) }
            if let onLine { splitter.append(chunk) { onLine(stream, $0) } }
        }
        return true
    }

    /// Hands over a last line that had no newline.
    mutating func finish(onLine: ((SSHOutputStream, String) -> Void)?) {
        guard let onLine else { return }
        splitter.finish { onLine(stream, $0) }
    }
}

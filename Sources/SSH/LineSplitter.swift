/// Cuts a byte stream into lines as chunks arrive, for callers that show
/// remote output live. A line longer than `maximumLineLength` is handed over
/// in pieces so a remote command printing without newlines cannot make us
/// buffer without bound.
struct LineSplitter {
    let maximumLineLength: Int
    private var pending: [UInt8] = []

    init(maximumLineLength: Int = 64 * 1024) {
        self.maximumLineLength = maximumLineLength
    }

    /// Emits every complete line in `bytes` (without "\n" or "\r\n").
    mutating func append(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                emit(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= maximumLineLength {
                    emit(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Emits the last line when the stream ended without a newline.
    mutating func finish(emit: (String) -> Void) {
        if !pending.isEmpty {
            emit(String(decoding: pending, as: UTF8.self))
            pending.removeAll()
        }
    }
}

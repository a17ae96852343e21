import Dispatch
import TorrentMetainfo

/// Hashes the tarball on its own thread while the caller goes on reading files and writing
/// output, so packing costs about as long as the slower of the two rather than their sum
/// (SHA-1 per piece plus SHA-256 of the whole is as much work as the tar itself).
///
/// At most `depth` chunks wait to be hashed; past that, `update` blocks, so memory stays
/// bounded however fast the producer is.
final class BackgroundHasher: @unchecked Sendable {
    // `hasher` is touched only on `queue`; `slots` bounds the chunks in flight.
    private let queue = DispatchQueue(label: "swarmdeploy.payload-hasher")
    private let slots: DispatchSemaphore
    private var hasher: PieceHasher

    init(pieceLength: Int, depth: Int = 8) {
        hasher = PieceHasher(pieceLength: pieceLength)
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues a copy of `chunk` for hashing.
    func update(_ chunk: UnsafeRawBufferPointer) {
        slots.wait()
        let copy = [UInt8](chunk)
        queue.async {
            self.hasher.update(copy)
            self.slots.signal()
        }
    }

    /// Waits for every queued chunk and returns the digests.
    func finish() -> HashedPayload {
        queue.sync { hasher.finish() }
    }
}

import Glibc
import Testing

@testable import SSH

/// The exec loop sleeps in poll() on the socket and on the input's wake-up descriptor; these
/// check that queued input and EOF make that descriptor readable, and taking them quiets it.
@Suite("SSHInput")
struct SSHInputTests {
    static func isReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    @Test func writingWakesTheLoopAndTakingQuietsIt() {
        let input = SSHInput()
        #expect(input.wakeDescriptor >= 0)
        #expect(!Self.isReadable(input.wakeDescriptor))
        input.write(Array("job".utf8))
        input.write(Array(" two".utf8))
        #expect(Self.isReadable(input.wakeDescriptor))
        let taken = input.take()
        #expect(taken.bytes == Array("job two".utf8))
        #expect(!taken.closed)
        #expect(!Self.isReadable(input.wakeDescriptor))
    }

    @Test func closingWakesTheLoopAndLaterWritesAreDropped() {
        let input = SSHInput()
        input.write([1, 2])
        input.close()
        input.write([3])
        #expect(Self.isReadable(input.wakeDescriptor))
        let taken = input.take()
        #expect(taken.bytes == [1, 2])
        #expect(taken.closed)
    }

    /// Many more writes than the pipe holds bytes: writers never block, and one take drains all.
    @Test func aFullWakePipeNeverBlocksAWriter() {
        let input = SSHInput()
        for _ in 0..<200_000 { input.write([7]) }
        let taken = input.take()
        #expect(taken.bytes.count == 200_000)
        #expect(!Self.isReadable(input.wakeDescriptor))
    }
}

import PeerWire
import Testing

@Suite struct BitfieldTests {
    @Test func insertContainsAndCount() {
        var bitfield = Bitfield(pieceCount: 10)
        #expect(bitfield.bytes == [0, 0])
        #expect(bitfield.isEmpty)
        let insertedFirst = bitfield.insert(PieceIndex(0))
        let insertedLast = bitfield.insert(PieceIndex(9))
        let insertedAgain = bitfield.insert(PieceIndex(9))
        #expect(insertedFirst && insertedLast && !insertedAgain)
        // BEP 3: index 0 is the high bit of the first byte.
        #expect(bitfield.bytes == [0b1000_0000, 0b0100_0000])
        #expect(bitfield.contains(PieceIndex(0)))
        #expect(!bitfield.contains(PieceIndex(1)))
        #expect(!bitfield.contains(PieceIndex(10)))
        #expect(bitfield.count == 2)
        #expect(!bitfield.isComplete)
        let removed = bitfield.remove(PieceIndex(0))
        let removedAgain = bitfield.remove(PieceIndex(0))
        #expect(removed && !removedAgain)
        #expect(bitfield.count == 1)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 16, 17])
    func fullBitfieldIsCompleteWithSpareBitsClear(pieceCount: Int) throws {
        let full = Bitfield.full(pieceCount: pieceCount)
        #expect(full.isComplete)
        #expect(full.count == pieceCount)
        #expect(full.bytes.count == (pieceCount + 7) / 8)
        // Re-reading it from the wire checks the spare bits are zero.
        let reread = try Bitfield(pieceCount: pieceCount, wireBytes: full.bytes)
        #expect(reread == full)
    }

    @Test func wireBytesOfTheWrongSizeAreRejected() {
        #expect(throws: PeerWireError.self) { try Bitfield(pieceCount: 9, wireBytes: [0xFF]) }
        #expect(throws: PeerWireError.self) { try Bitfield(pieceCount: 9, wireBytes: [0xFF, 0x80, 0x00]) }
        do {
            _ = try Bitfield(pieceCount: 9, wireBytes: [0xFF])
        } catch {
            #expect(error.kind == .invalidBitfield)
            #expect(error.description.contains("is 1 byte(s), but 9 piece(s) need exactly 2"))
        }
    }

    @Test(arguments: [UInt8(0x40), 0x01, 0x7F])
    func spareBitsSetAreRejected(lastByte: UInt8) {
        do {
            _ = try Bitfield(pieceCount: 9, wireBytes: [0xFF, 0x80 | lastByte])
            Issue.record("spare bits were accepted")
        } catch {
            #expect(error.kind == .invalidBitfield)
            #expect(error.diagnostics.contains("spare bits"))
        }
    }
}

import DeployProtocol
import Testing

@Suite("Peer events: one line each on the control channel")
struct PeerEventTests {
    @Test func everyEventSurvivesItsLine() {
        let progress = PeerProgress(verifiedPieces: 12, pieceCount: 400, bytesDownloaded: 1 << 30, bytesDuplicate: 16384, bytesUploaded: 77, connectedPeers: 9)
        var banning = progress
        banning.bannedPeerIDs = ["-SD0100-abc%2CDEF12345", "-lt0D20-%00%01xyz"]
        let events: [PeerEvent] = [
            .started(version: "0.1.0", peerID: "-SD0100-abcDEF123456", listenPort: 40123),
            .progress(progress),
            .progress(banning),
            .downloaded,
            .installed(files: 3, bytes: 4096),
            .finished(progress),
            .failed(stage: .prepare, message: "not enough space in /srv: the deploy needs 70 MiB"),
            .serving(address: "10.0.0.12", port: 41234),
            .serving(address: "fd00:10:77::10b", port: 1),
        ]
        for event in events {
            #expect(PeerEvent(line: event.line) == event, "\(event.line)")
            #expect(!event.line.contains("\n"))
        }
    }

    /// Found by FuzzPeerJob: a message starting with a combining mark (after a flattened
    /// vertical tab) fused with the `=` of `message=`, and the failure was lost.
    @Test func aMessageStartingWithACombiningMarkReadsBack() {
        for message in ["\u{0B}\u{030B}", "\u{0301}disk full", "e\u{0301}", "a=\u{0308}b"] {
            for event in [PeerEvent.failed(stage: .extract, message: message), .log(level: "info", message: message)] {
                let parsed = PeerEvent(line: event.line)
                #expect(parsed != nil, "\(event.line.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(parsed.map { PeerEvent(line: $0.line) == $0 } ?? false)
            }
        }
    }

    @Test func aServingLineWithoutAUsablePortIsNotAnEvent() {
        for line in ["swarmdeploy-peer serving address=10.0.0.1 port=0", "swarmdeploy-peer serving address=10.0.0.1",
                     "swarmdeploy-peer serving port=4000", "swarmdeploy-peer serving address=10.0.0.1 port=70000"] {
            #expect(PeerEvent(line: line) == nil, "\(line)")
        }
    }

    @Test func failureMessagesAreFlattenedToOneLine() {
        let line = PeerEvent.failed(stage: .extract, message: "first\nsecond").line
        #expect(PeerEvent(line: line) == .failed(stage: .extract, message: "first second"))
    }

    @Test func otherOutputIsNotAnEvent() {
        #expect(PeerEvent(line: "bash: warning: setlocale") == nil)
        #expect(PeerEvent(line: "swarmdeploy-peer progress pieces=1 down=2") == nil)
        #expect(PeerEvent(line: "swarmdeploy-peer failed stage=nowhere message=x") == nil)
        #expect(PeerEvent(line: "swarmdeploy-peer teleported") == nil)
    }

    @Test func stagesAreOrderedAsTheyHappen() {
        #expect(PeerStage.prepare < .download)
        #expect(PeerStage.extract < .install)
        #expect(PeerStage.install < .seed)
    }
}

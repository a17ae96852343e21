import DeployProtocol
import Testing

@Suite("Peer events: one line each on the control channel")
struct PeerEventTests {
    @Test func everyEventSurvivesItsLine() {
        let progress = PeerProgress(verifiedPieces: 12, pieceCount: 400, bytesDownloaded: 1 << 30, bytesDuplicate: 16384, bytesUploaded: 77, connectedPeers: 9)
        var banning = progress
        banning.bannedPeerIDs = ["-SD0100-abc%2CDEF12345", "-lt0D20-%00%01xyz"]
        var sending = progress
        sending.uploadedTo = ["-SD0100-abc%2CDEF12345": 1 << 33, "-SD0100-zzz": 0]
        sending.bytesReused = 3 << 30
        sending.cpuMilliseconds = 12_345
        sending.bytesFromWebSeeds = 7 << 20
        let events: [PeerEvent] = [
            .started(version: "0.1.0", peerID: "-SD0100-abcDEF123456", listenPort: 40123),
            .progress(progress),
            .progress(banning),
            .downloaded,
            .installed(files: 3, bytes: 4096),
            .finished(progress),
            .finished(sending),
            .failed(stage: .prepare, message: "not enough space in /srv: the deploy needs 70 MiB"),
            .serving(address: "10.0.0.12", port: 41234),
            .serving(address: "fd00:10:77::10b", port: 1),
            .staged,
            .switched(release: "20261206T133501Z-1a2b3c4d", previous: nil),
            .switched(release: nil, previous: "20261205T000000Z-00000000"),
            .hook(name: .afterActivate, message: "Restarting app.service  (pid=42)"),
            .hook(name: .healthCheck, message: ""),
            .rolledBack(to: "20261205T000000Z-00000000"),
            .rolledBack(to: nil),
            .failed(stage: .healthCheck, message: "the health check failed all 3 attempts"),
            .warning(message: "web seed http://10.0.0.9/r.tar answered 404 Not Found for pieces 0-3; it is no longer used"),
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

    @Test func aReleaseIdThatCouldNotNameADirectoryIsDropped() {
        #expect(PeerEvent(line: "swarmdeploy-peer switched release=../etc previous=.hidden") == .switched(release: nil, previous: nil))
        #expect(PeerEvent(line: "swarmdeploy-peer hook name=deploy message=x") == nil)
    }

    @Test func releaseIdsSortByTimeAndTraceTheContent() {
        let digest: [UInt8] = [0x1a, 0x2b, 0x03, 0xd4, 0xff]
        let early = ReleaseID.make(utc: (2026, 1, 2, 3, 4, 5), digest: digest)
        #expect(early == "20260102T030405Z-1a2b03d4")
        #expect(early < ReleaseID.make(utc: (2026, 12, 6, 13, 35, 1), digest: [0, 0, 0, 0]))
        #expect(ReleaseID.problem(with: early) == nil)
        for bad in ["", ".", "..", "-x", "a/b", "a b", "ré", String(repeating: "a", count: 101)] {
            #expect(ReleaseID.problem(with: bad) != nil, "\(bad)")
        }
    }

    @Test func aStatusLineReadsBack() {
        let statuses = [
            DestinationStatus(layout: .releases, current: "20260102T000000Z-bb", previous: "20260101T000000Z-aa", releases: ["20260101T000000Z-aa", "20260102T000000Z-bb"]),
            DestinationStatus(layout: .sibling, current: nil, previous: nil, unrecorded: true),
            DestinationStatus(layout: .sibling, current: "20260102T000000Z-bb", previous: nil),
            DestinationStatus(layout: nil, current: nil, previous: nil),
        ]
        for status in statuses {
            #expect(DestinationStatus(line: status.line) == status, "\(status.line)")
        }
        #expect(DestinationStatus(line: "swarmdeploy-peer status layout=weird current=") == nil)
        #expect(DestinationStatus(line: "swarmdeploy-peer installed files=1 bytes=2") == nil)
    }

    @Test func stagesAreOrderedAsTheyHappen() {
        #expect(PeerStage.prepare < .download)
        #expect(PeerStage.extract < .install)
        #expect(PeerStage.install < .seed)
        #expect(PeerStage.extract < .staged && PeerStage.staged < .beforeActivate && PeerStage.beforeActivate < .install)
        #expect(PeerStage.install < .afterActivate && PeerStage.afterActivate < .healthCheck && PeerStage.healthCheck < .seed)
    }
}

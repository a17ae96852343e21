import DeployProtocol
import XCTest

final class PeerEventTests: XCTestCase {
    func testEveryEventSurvivesItsLine() {
        let progress = PeerProgress(verifiedPieces: 12, pieceCount: 400, bytesDownloaded: 1 << 30, bytesDuplicate: 16384, bytesUploaded: 77, connectedPeers: 9)
        let events: [PeerEvent] = [
            .started(version: "0.1.0", peerID: "-SD0100-abcDEF123456", listenPort: 40123),
            .progress(progress),
            .downloaded,
            .installed(files: 3, bytes: 4096),
            .finished(progress),
            .failed(stage: .prepare, message: "not enough space in /srv: the deploy needs 70 MiB"),
        ]
        for event in events {
            XCTAssertEqual(PeerEvent(line: event.line), event, event.line)
            XCTAssertFalse(event.line.contains("\n"))
        }
    }

    func testFailureMessagesAreFlattenedToOneLine() {
        let line = PeerEvent.failed(stage: .extract, message: "first\nsecond").line
        XCTAssertEqual(PeerEvent(line: line), .failed(stage: .extract, message: "first second"))
    }

    func testOtherOutputIsNotAnEvent() {
        XCTAssertNil(PeerEvent(line: "bash: warning: setlocale"))
        XCTAssertNil(PeerEvent(line: "swarmdeploy-peer progress pieces=1 down=2"))
        XCTAssertNil(PeerEvent(line: "swarmdeploy-peer failed stage=nowhere message=x"))
        XCTAssertNil(PeerEvent(line: "swarmdeploy-peer teleported"))
    }

    func testStagesAreOrderedAsTheyHappen() {
        XCTAssertLessThan(PeerStage.prepare, .download)
        XCTAssertLessThan(PeerStage.extract, .install)
        XCTAssertLessThan(PeerStage.install, .seed)
    }
}

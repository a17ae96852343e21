import DeployProtocol
import XCTest

final class PeerJobTests: XCTestCase {
    private let job = PeerJob(
        torrent: Array("d4:infod6:lengthi1eee".utf8),
        trackers: ["http://10.0.0.1:4000/s3cret/announce", "http://backup:6969/announce"],
        destination: "/opt/app",
        extractedBytes: 123_456,
        tarBytes: 140_800,
        keepPrevious: true,
        seedGraceMilliseconds: 30_000,
        timeoutMilliseconds: 600_000
    )

    func testRoundTripThroughHeaderAndBody() throws {
        let wire = job.encoded()
        let newline = try XCTUnwrap(wire.firstIndex(of: UInt8(ascii: "\n")))
        let length = try PeerJob.bodyLength(fromHeader: String(decoding: wire[..<newline], as: UTF8.self))
        XCTAssertEqual(length, wire.count - newline - 1)
        XCTAssertEqual(try PeerJob(body: Array(wire[(newline + 1)...])), job)
    }

    func testHeaderFromAnotherProgramIsRefusedWithAHint() {
        XCTAssertThrowsError(try PeerJob.bodyLength(fromHeader: "hello")) { error in
            XCTAssertTrue("\(error)".contains("swarmdeploy push"), "\(error)")
        }
        XCTAssertThrowsError(try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 2 10")) { error in
            XCTAssertTrue("\(error)".contains("version"), "\(error)")
        }
        XCTAssertThrowsError(try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 1 999999999999"))
        XCTAssertThrowsError(try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 1 -5"))
    }

    func testBodyWithAMissingOrMistypedFieldNamesIt() {
        var relative = job
        relative.destination = "opt/app"
        XCTAssertThrowsError(try PeerJob(body: Array(relative.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))) { error in
            XCTAssertTrue("\(error)".contains("absolute"), "\(error)")
        }
        XCTAssertThrowsError(try PeerJob(body: Array("d7:torrent3:abce".utf8))) { error in
            XCTAssertTrue("\(error)".contains("\"trackers\""), "\(error)")
        }
        XCTAssertThrowsError(try PeerJob(body: Array("not bencode".utf8)))
    }
}

import DeployProtocol
import Testing

@Suite("--owner USER[:GROUP]")
struct FileOwnerTests {
    @Test func namesAndIdsParseAndPrintBack() throws {
        let table: [(String, FileOwner)] = [
            ("app", FileOwner(user: .name("app"))),
            ("app:www-data", FileOwner(user: .name("app"), group: .name("www-data"))),
            ("1000:1000", FileOwner(user: .id(1000), group: .id(1000))),
            ("svc.web:0", FileOwner(user: .name("svc.web"), group: .id(0))),
            ("host$", FileOwner(user: .name("host$"))),
        ]
        for (text, owner) in table {
            #expect(try FileOwner.parse(text).get() == owner, "\(text)")
            #expect(owner.description == text)
        }
    }

    @Test func unusableOwnersAreRefusedWithAReason() {
        for text in ["", ":", "app:", ":app", "a:b:c", "-app", "ap p", "app$x", "4294967295", String(repeating: "a", count: 33)] {
            #expect(throws: OwnerError.self, "\(text)") { try FileOwner.parse(text).get() }
        }
    }

    @Test func theJobCarriesTheOwner() throws {
        var job = PeerJob(
            torrent: [1], trackers: ["http://t/announce"], destination: "/srv/app", extractedBytes: 1, tarBytes: 512,
            keepPrevious: true, seedGraceMilliseconds: 0, timeoutMilliseconds: 1000)
        job.owner = FileOwner(user: .name("app"), group: .id(50))
        let wire = job.encoded()
        let body = Array(wire.drop { $0 != UInt8(ascii: "\n") }.dropFirst())
        #expect(try PeerJob(body: body).owner == job.owner)
    }
}

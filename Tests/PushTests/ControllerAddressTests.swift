import Testing
import DeployConfiguration
import Push

// Loopback only: detection connects a UDP socket, which sends nothing, but
// tests must not depend on (or touch) any other network.
@Suite struct ControllerAddressTests {
    @Test func loopbackRoutesFromLoopback() throws {
        #expect(try ControllerAddress.detect(towards: "127.0.0.1", port: 22) == "127.0.0.1")
    }

    @Test func otherLoopbackAddressesToo() throws {
        let address = try ControllerAddress.detect(towards: "127.0.0.1", port: 65535)
        #expect(address.hasPrefix("127."))
    }

    @Test func rejectsEmptyHostAndBadPort() {
        let empty = #expect(throws: PushError.self) { try ControllerAddress.detect(towards: "", port: 22) }
        #expect(empty?.kind == .addressDetection)
        #expect(empty?.description.contains("transfer.listen") == true)
        #expect(throws: PushError.self) { try ControllerAddress.detect(towards: "127.0.0.1", port: 0) }
    }
}

import Testing
import DeployConfiguration

@Suite struct HumanUnitsTests {
    @Test(arguments: [
        (0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"), (1 << 20, "1 MiB"),
        (500 << 20, "500 MiB"), (12_900_000, "12.3 MiB"), (5 << 30, "5 GiB"), (3 << 40, "3 TiB"),
    ] as [(Int64, String)])
    func bytes(_ count: Int64, _ text: String) {
        #expect(HumanUnits.bytes(count) == text)
    }

    @Test(arguments: [
        (0, "0 s"), (0.0004, "1 ms"), (0.85, "850 ms"), (1, "1 s"), (12.34, "12.3 s"), (59.96, "1 min"),
        (250, "4 min 10 s"), (600, "10 min"), (3600, "1 h"), (7500, "2 h 5 min"), (90000, "1 d 1 h"),
    ] as [(Double, String)])
    func duration(_ seconds: Double, _ text: String) {
        #expect(HumanUnits.duration(seconds) == text)
    }

    @Test(arguments: [(1e9, "1 Gbit/s"), (2.5e9, "2.5 Gbit/s"), (1e8, "100 Mbit/s"), (640, "640 bit/s"), (1.5e4, "15 kbit/s")])
    func bitRate(_ rate: Double, _ text: String) {
        #expect(HumanUnits.bitRate(rate) == text)
    }

    @Test func byteRate() {
        #expect(HumanUnits.byteRate(1.5 * 1024 * 1024) == "1.5 MiB/s")
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567"), (-1234, "-1,234")])
    func count(_ value: Int, _ text: String) {
        #expect(HumanUnits.count(value) == text)
    }

    @Test(arguments: [(1.25, 1, "1.3"), (287.04, 1, "287.0"), (0.05, 2, "0.05"), (-2.5, 0, "-3"), (7, 0, "7")] as [(Double, Int, String)])
    func decimal(_ value: Double, _ digits: Int, _ text: String) {
        #expect(HumanUnits.decimal(value, fractionDigits: digits) == text)
    }
}

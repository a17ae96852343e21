import Bencode
import Testing

@Suite struct BencodeValueTests {
    @Test func accessorsReturnOnlyTheMatchingKind() {
        let integer: BencodeValue = 5
        #expect(integer.integer == 5)
        #expect(integer.bytes == nil && integer.string == nil && integer.list == nil && integer.dictionary == nil)

        let text: BencodeValue = "héllo"
        #expect(text.string == "héllo")
        #expect(text.bytes == Array("héllo".utf8))
        #expect(text.integer == nil)

        let list: BencodeValue = [1, "a"]
        #expect(list.list == [1, "a"])
        #expect(list["key"] == nil)
    }

    @Test func subscriptsLookUpDictionaryKeys() throws {
        let value = try BencodeDecoder().decode(Array("d4:infod4:name3:abcee".utf8))
        #expect(value["info"]?["name"]?.string == "abc")
        #expect(value[Array("info".utf8)]?["name"] == "abc")
        #expect(value["missing"] == nil)
        #expect(value["info"]?["name"]?["deeper"] == nil)
    }

    @Test func stringRejectsInvalidUTF8InsteadOfRepairingIt() {
        #expect(BencodeValue.bytes([0x66, 0x6F, 0x80]).string == nil)
        #expect(BencodeValue.bytes([0xED, 0xA0, 0x80]).string == nil)  // a UTF-16 surrogate
    }

    @Test func typeNamesDescribeEachKind() {
        #expect(BencodeValue.integer(1).typeName == "integer")
        #expect(BencodeValue.bytes([]).typeName == "byte string")
        #expect(BencodeValue.list([]).typeName == "list")
        #expect(BencodeValue.dictionary(.init()).typeName == "dictionary")
    }
}

import EnricherJSON
import Testing

@Suite("JSONValue keeps documents verbatim")
struct JSONValueTests {
    @Test("a document round-trips with member order and number text intact")
    func roundTripPreservesOrderAndNumbers() throws {
        let text = #"{"b":1.10,"a":[true,false,null],"c":{"z":-0.5e3,"y":"\u00e9\ud83d\ude00"},"big":12345678901234567890}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized == #"{"b":1.10,"a":[true,false,null],"c":{"z":-0.5e3,"y":"é😀"},"big":12345678901234567890}"#)
        #expect(value["c"]?["y"]?.stringValue == "é😀")
        #expect(value["missing"] == nil)
    }

    @Test("control characters and quotes are escaped on output")
    func escapes() {
        let value: JSONValue = ["k": .string("a\"b\\c\n\u{01}")]
        #expect(value.serialized == #"{"k":"a\"b\\c\n\u0001"}"#)
    }

    @Test(
        "malformed input is rejected, never crashes",
        arguments: [
            "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\ud800\"", "\"\\x\"", "{} {}",
            "\"a\u{01}\"", "[1e]", "{\"a\":1,}",
        ]
    )
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("invalid UTF-8 inside a string is rejected")
    func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test("nesting beyond the limit is rejected without recursion blowing the stack")
    func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let ok = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect((try? JSONValue(parsing: ok)) != nil)
    }

    @Test("setting replaces an existing member in place and appends a new one")
    func settingMembers() {
        let value: JSONValue = ["a": 1, "b": 2]
        #expect(value.setting("a", to: 3).serialized == #"{"a":3,"b":2}"#)
        #expect(value.setting("c", to: nil).serialized == #"{"a":1,"b":2,"c":null}"#)
    }
}

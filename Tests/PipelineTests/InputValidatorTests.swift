import EnricherJSON
import Pipeline
import Testing

@Suite("Input validation follows the contract's input table")
struct InputValidatorTests {
    let validator = InputValidator(defaultRegion: "ap-singapore")

    @Test("the contract's sample event is accepted with every field")
    func acceptsTheSample() throws {
        let event = try validator.validate(try Fixtures.golden("input-event")).get()
        #expect(event.eventId == "8d0c5b0e-6a4f-4c8e-9b2a-0f7f1c1e2d3a")
        #expect(event.bizToken == "EE13636D-1985-42CA-BD61-73F4C8B687E6")
        #expect(event.region == "ap-singapore")
        #expect(event.occurredAt == UTCTimestamp(millisecondsSinceEpoch: 1_795_514_400_000))
        #expect(event.metadata?.serialized == #"{"applicantId":"A-1029","channel":"web"}"#)
    }

    @Test("optional fields default: region from configuration, no metadata, unknown fields ignored")
    func defaultsAndUnknownFields() throws {
        let jakarta = InputValidator(defaultRegion: "ap-jakarta")
        let value = Array(#"{"eventId":"e1","bizToken":"tok_1-A","region":null,"extra":{"deep":[1]}}"#.utf8)
        let event = try jakarta.validate(value).get()
        #expect(event.region == "ap-jakarta")
        #expect(event.metadata == nil)
        #expect(event.occurredAt == nil)
    }

    @Test(
        "each broken rule is reported with its own one-line reason",
        arguments: [
            ("", "empty value"),
            ("not json", "value is not valid JSON"),
            ("[1,2]", "value is not a JSON object"),
            (#"{"bizToken":"t"}"#, "missing eventId"),
            (#"{"eventId":5,"bizToken":"t"}"#, "eventId is not a string"),
            (#"{"eventId":"","bizToken":"t"}"#, "eventId is 0 characters"),
            (#"{"eventId":"e"}"#, "missing bizToken"),
            (#"{"eventId":"e","bizToken":"has space"}"#, "bizToken must be"),
            (#"{"eventId":"e","bizToken":""}"#, "bizToken must be"),
            (#"{"eventId":"e","bizToken":"t","region":"us-east"}"#, "unknown region \"us-east\""),
            (#"{"eventId":"e","bizToken":"t","occurredAt":"2026-11-24 10:00"}"#, "occurredAt is not an RFC 3339"),
            (#"{"eventId":"e","bizToken":"t","occurredAt":"2026-02-30T10:00:00Z"}"#, "occurredAt is not an RFC 3339"),
            (#"{"eventId":"e","bizToken":"t","metadata":[1]}"#, "metadata is not an object"),
        ]
    )
    func rejects(_ value: String, _ reasonPrefix: String) {
        let result = validator.validate(Array(value.utf8))
        guard case .failure(let reason) = result else {
            Issue.record("accepted \(value)")
            return
        }
        #expect(reason.description.hasPrefix(reasonPrefix), "\(reason)")
        #expect(!reason.description.contains("\n"))
    }

    @Test("length limits: eventId 128, bizToken 128, metadata 16 KiB, value 64 KiB")
    func lengthLimits() {
        let id128 = String(repeating: "é", count: 128)
        #expect((try? validator.validate(Fixtures.eventValue(eventId: id128, bizToken: "t")).get()) != nil)
        let id129 = String(repeating: "e", count: 129)
        #expect(validator.validate(Fixtures.eventValue(eventId: id129, bizToken: "t")) == .failure(.eventIdLength(129)))

        let token128 = String(repeating: "A", count: 128)
        #expect((try? validator.validate(Fixtures.eventValue(eventId: "e", bizToken: token128)).get()) != nil)
        let token129 = String(repeating: "A", count: 129)
        #expect(validator.validate(Fixtures.eventValue(eventId: "e", bizToken: token129)) == .failure(.bizTokenInvalid))

        // {"k":"…"} is 8 bytes plus the string.
        let fits = #","metadata":{"k":"\#(String(repeating: "x", count: 16_384 - 8))"}"#
        #expect((try? validator.validate(Fixtures.eventValue(eventId: "e", bizToken: "t", extra: fits)).get()) != nil)
        let over = #","metadata":{"k":"\#(String(repeating: "x", count: 16_384 - 7))"}"#
        #expect(
            validator.validate(Fixtures.eventValue(eventId: "e", bizToken: "t", extra: over))
                == .failure(.metadataTooLarge(bytes: 16_385))
        )

        let padding = #","pad":"\#(String(repeating: "p", count: 70_000))""#
        let big = Fixtures.eventValue(eventId: "e", bizToken: "t", extra: padding)
        #expect(validator.validate(big) == .failure(.valueTooLarge(bytes: big.count)))
        #expect(validator.validate(nil) == .failure(.emptyValue))
    }

    @Test("a hostile region is echoed shortened and printable only")
    func hostileRegionIsSanitised() {
        let regionJSON = #"bad\nregion"# + String(repeating: "z", count: 100)
        let value = Array(#"{"eventId":"e","bizToken":"t","region":"\#(regionJSON)"}"#.utf8)
        guard case .failure(let reason) = validator.validate(value) else {
            Issue.record("accepted a hostile region")
            return
        }
        #expect(reason.description == "unknown region \"bad?region\(String(repeating: "z", count: 30))…\"")
    }
}

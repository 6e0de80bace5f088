extension JSONValue {
    /// Compact JSON (no insignificant whitespace), members in their stored order, numbers as
    /// their stored text. Non-ASCII characters are written as UTF-8, `/` is not escaped.
    public var serialized: String {
        String(decoding: serializedBytes, as: UTF8.self)
    }

    /// The compact serialization as UTF-8 bytes, ready to be a Kafka message value.
    ///
    /// Written straight into bytes: every output event and every log line goes through here,
    /// and appending to a `String` scalar by scalar cost more than the rest of building an event.
    public var serializedBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(to: &output)
        return output
    }

    /// Appends the compact serialization to `output`.
    public func write(to output: inout String) {
        output += serialized
    }

    /// Appends the compact serialization to `output`, as UTF-8.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: Self.append("null", to: &output)
        case .bool(let b): Self.append(b ? "true" : "false", to: &output)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let s): Self.writeString(s, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func append(_ literal: StaticString, to output: inout [UInt8]) {
        literal.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    /// A string literal: runs of bytes that need no escape are copied whole; `"`, `\` and control
    /// characters are escaped (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00xx`). Other bytes, ASCII or
    /// not, are written as they are (a Swift string is valid UTF-8).
    static func writeString(_ s: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let written: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
            writeEscaped(bytes, to: &output)
        }
        if written == nil {
            writeEscaped(Array(s.utf8), to: &output)
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, to output: inout [UInt8])
    where Bytes.Index == Int {
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            output.append(contentsOf: bytes[runStart..<index])
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            default:
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0x0F))
            }
            index += 1
            runStart = index
        }
        output.append(contentsOf: bytes[runStart..<bytes.endIndex])
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { serialized }
}

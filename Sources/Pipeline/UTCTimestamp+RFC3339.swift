extension UTCTimestamp {
    /// RFC 3339 in UTC with milliseconds, `YYYY-MM-DDTHH:MM:SS.sssZ`: the one format every time
    /// in the output and the dead-letter headers uses.
    public var rfc3339: String {
        let millis = millisecondsSinceEpoch
        let (days, msOfDay) = Self.floorDivide(millis, 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        guard (0...9999).contains(year) else {
            // Outside four-digit years (never for a real clock): the general form.
            return Self.paddedForm(year: year, month: month, day: day, msOfDay: msOfDay)
        }
        // Written digit by digit into 24 bytes: two of these go into every output event, and
        // interpolating padded strings cost more than the rest of the event's header.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var i = 0
            func put(_ value: Int64, _ width: Int) {
                var v = value
                for position in stride(from: i + width - 1, through: i, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                }
                i += width
            }
            func put(_ separator: Unicode.Scalar, then value: Int64, _ width: Int) {
                buffer[i] = UInt8(ascii: separator)
                i += 1
                put(value, width)
            }
            put(year, 4)
            put("-", then: month, 2)
            put("-", then: day, 2)
            put("T", then: msOfDay / 3_600_000, 2)
            put(":", then: msOfDay / 60_000 % 60, 2)
            put(":", then: msOfDay / 1000 % 60, 2)
            put(".", then: msOfDay % 1000, 3)
            buffer[i] = UInt8(ascii: "Z")
            return i + 1
        }
    }

    /// The same text by interpolation, for years that do not fit four digits.
    static func paddedForm(year: Int64, month: Int64, day: Int64, msOfDay: Int64) -> String {
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let milli = msOfDay % 1000
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
            + "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2)).\(Self.pad(milli, 3))Z"
    }

    /// Parses an RFC 3339 `date-time` (`2026-11-24T10:00:00Z`, `…T10:00:00.5+07:00`); `nil` when
    /// the text is not one. Fractions beyond milliseconds are truncated; a leap second (`:60`) is
    /// accepted and folded into the next second.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ count: Int) -> Int64? {
            guard b.count - i >= count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(c - UInt8(ascii: "0"))
                i += 1
            }
            return value
        }
        func literal(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), literal(UInt8(ascii: "-")), let month = digits(2), literal(UInt8(ascii: "-")),
            let day = digits(2)
        else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let hour = digits(2), literal(UInt8(ascii: ":")), let minute = digits(2), literal(UInt8(ascii: ":")),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var fractionMillis: Int64 = 0
        if literal(UInt8(ascii: ".")) {
            var count = 0
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                if count < 3 { fractionMillis = fractionMillis * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { fractionMillis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHours = digits(2), literal(UInt8(ascii: ":")), let offsetMins = digits(2),
                offsetHours <= 23, offsetMins <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMins)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Self.days(fromCivilYear: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        self.init(millisecondsSinceEpoch: seconds * 1000 + fractionMillis)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    static func isLeapYear(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(fromCivilYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400).quotient
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097).quotient
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

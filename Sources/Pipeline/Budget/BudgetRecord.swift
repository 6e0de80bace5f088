import EnricherJSON

/// One member's announcement for one epoch on the coordination topic: how many calls it has ready
/// (its demand) and which input partitions it holds (its claims). Every member writes one each
/// epoch, `BudgetSchedule.lead` epochs ahead, and every member reads them all in log order.
///
/// The JSON form is the wire format (version 1): `{"v":1,"group":…,"topic":…,"member":…,
/// "epoch":…,"demand":…,"grant":…,"claims":[…],"partitions":…,"sentAt":…}`. A record that is not
/// exactly that is never trusted (see ``decode(_:)``).
public struct BudgetRecord: Sendable, Hashable {
    /// The only wire format version this code reads and writes.
    public static let version = 1
    /// Longest member id accepted.
    static let maximumMemberLength = 128
    /// Largest demand or grant accepted (calls in one epoch).
    static let maximumCount = 10_000_000

    /// The consumer group the member belongs to.
    public var group: String
    /// The input topic its claims are partitions of.
    public var topic: String
    /// The member's id: unique per process start.
    public var member: String
    /// The epoch this record is for.
    public var epoch: Int64
    /// Calls ready to be made (waiting for a slot, plus those that became ready in the last epoch).
    public var demand: Int
    /// The slots the member holds in the epoch it wrote this in (informational: nobody computes with it).
    public var grant: Int
    /// Input partitions the member held when it wrote this.
    public var claims: [Int32]
    /// Input partitions of the topic as the member knows it (0 when unknown).
    public var partitions: Int
    /// When it was written, milliseconds since 1970 (for skew checks and debugging).
    public var sentAtMillis: Int64

    /// A record.
    public init(
        group: String,
        topic: String,
        member: String,
        epoch: Int64,
        demand: Int,
        grant: Int,
        claims: [Int32],
        partitions: Int,
        sentAtMillis: Int64
    ) {
        self.group = group
        self.topic = topic
        self.member = member
        self.epoch = epoch
        self.demand = demand
        self.grant = grant
        self.claims = claims
        self.partitions = partitions
        self.sentAtMillis = sentAtMillis
    }

    /// The record as the coordination topic's message value.
    public var encoded: [UInt8] {
        let value: JSONValue = [
            "v": .integer(Self.version),
            "group": .string(group),
            "topic": .string(topic),
            "member": .string(member),
            "epoch": .integer(epoch),
            "demand": .integer(demand),
            "grant": .integer(grant),
            "claims": .array(claims.map { .integer($0) }),
            "partitions": .integer(partitions),
            "sentAt": .integer(sentAtMillis),
        ]
        return value.serializedBytes
    }

    /// Why a coordination record was not trusted.
    public enum Rejection: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not JSON, a required field missing or out of range.
        case malformed(String)
        /// A wire format version this code does not know.
        case unknownVersion(Int)
        /// Another group's or another input topic's record (a shared or misnamed topic).
        case foreign
        /// For an epoch further ahead than any member writes: a clock far ahead, or a forgery.
        case fromTheFuture

        /// Every value of ``reason``: the counter shows each at 0 from the start, so a scrape (and an
        /// alert on `increase()`) sees the series before the first bad record.
        public static let allReasons = ["malformed", "unknown_version", "foreign", "future"]

        /// The `reason` label of `faceid_enricher_rate_coordination_records_ignored_total`.
        public var reason: String {
            switch self {
            case .malformed: "malformed"
            case .unknownVersion: "unknown_version"
            case .foreign: "foreign"
            case .fromTheFuture: "future"
            }
        }

        public var description: String {
            switch self {
            case .malformed(let why): "malformed coordination record: \(why)"
            case .unknownVersion(let version): "coordination record of unknown version \(version)"
            case .foreign: "coordination record of another group or input topic"
            case .fromTheFuture: "coordination record for an epoch too far ahead"
            }
        }
    }

    /// Parses and checks a message value: every field present with the right type and range.
    public static func decode(_ bytes: [UInt8]) throws(Rejection) -> BudgetRecord {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw .malformed("not JSON")
        }
        guard value.objectMembers != nil else { throw .malformed("not an object") }
        guard let version = value["v"]?.intValue else { throw .malformed("no version") }
        guard version == Self.version else { throw .unknownVersion(version) }
        func text(_ key: String, maximum: Int = 512) throws(Rejection) -> String {
            guard let text = value[key]?.stringValue, !text.isEmpty, text.utf8.count <= maximum else {
                throw .malformed("\(key) missing or out of range")
            }
            return text
        }
        func integer(_ key: String, in range: ClosedRange<Int64>) throws(Rejection) -> Int64 {
            guard case .number(let literal) = value[key], let number = Int64(literal), range.contains(number) else {
                throw .malformed("\(key) missing or out of range")
            }
            return number
        }
        let group = try text("group")
        let topic = try text("topic")
        let member = try text("member", maximum: maximumMemberLength)
        let epoch = try integer("epoch", in: 0...Int64(Int32.max) * 4)
        let demand = try integer("demand", in: 0...Int64(maximumCount))
        let grant = try integer("grant", in: 0...Int64(maximumCount))
        let partitions = try integer("partitions", in: 0...1_000_000)
        let sentAt = try integer("sentAt", in: 0...Int64.max / 2)
        guard let list = value["claims"]?.arrayValue, list.count <= 100_000 else {
            throw .malformed("claims missing or out of range")
        }
        var claims: [Int32] = []
        claims.reserveCapacity(list.count)
        for item in list {
            guard let claim = item.intValue, claim >= 0, claim <= Int(Int32.max), partitions == 0 || claim < partitions
            else {
                throw .malformed("claims out of range")
            }
            claims.append(Int32(claim))
        }
        return BudgetRecord(
            group: group,
            topic: topic,
            member: member,
            epoch: epoch,
            demand: Int(demand),
            grant: Int(grant),
            claims: claims,
            partitions: Int(partitions),
            sentAtMillis: sentAt
        )
    }
}

/// librdkafka's default partitioner (`consistent_random`) for a non-empty key: CRC-32 of the key
/// bytes modulo the partition count. Lets a test put records on chosen partitions through the
/// ordinary keyed producer.
public enum DefaultPartitioner {
    /// The partition librdkafka picks for `key` among `count`.
    public static func partition(forKey key: [UInt8], count: Int32) -> Int32 {
        Int32(crc32(key) % UInt32(max(1, count)))
    }

    /// The standard reflected CRC-32 (polynomial 0xEDB88320), as librdkafka's `rd_crc32`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}

extension TestInputEvent {
    /// A scripted event (see ``scripted(_:eventId:key:region:occurredAt:metadata:)``) whose key — its token —
    /// lands on `partition` of a topic with `partitions` partitions.
    public static func scripted(_ prefix: String, onPartition partition: Int32, of partitions: Int32) -> TestInputEvent {
        while true {
            let event = scripted(prefix)
            if DefaultPartitioner.partition(forKey: event.keyBytes ?? [], count: partitions) == partition { return event }
        }
    }
}

import Metrics
import Synchronization

/// The names of the media archive's metrics, in one place: dashboards and alerts depend on them.
public enum MediaMetricNames {
    /// Counter, labels `kind` (`best_frame`, `video`) and `result` (`stored`, `md5_mismatch`,
    /// `url_expired`, `download_failed`, `store_failed`): objects archived, or not, by outcome.
    public static let objects = "faceid_enricher_media_objects_total"
    /// Counter, label `kind`: bytes of media stored.
    public static let bytes = "faceid_enricher_media_bytes_total"
    /// Counter, label `kind`: downloads whose bytes did not match Tencent's MD5.
    public static let md5Mismatches = "faceid_enricher_media_md5_mismatches_total"
    /// Timer (histogram): one archive, from taking a slot to the last object stored (or the failure).
    public static let archiveDuration = "faceid_enricher_media_archive_duration_seconds"
}

/// The archive's metric handles, created once per label set from the injected factory.
final class MediaArchiveMetrics: Sendable {
    /// How an object's archiving ended, as the `result` label says it.
    enum Result: String {
        case stored
        case md5Mismatch = "md5_mismatch"
        case urlExpired = "url_expired"
        case downloadFailed = "download_failed"
        case storeFailed = "store_failed"
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    let archiveDuration: Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        archiveDuration = Timer(
            label: MediaMetricNames.archiveDuration,
            preferredDisplayUnit: .seconds,
            factory: factory
        )
    }

    func object(_ kind: MediaKind, _ result: Result) {
        counter(MediaMetricNames.objects, [("kind", kind.metricLabel), ("result", result.rawValue)]).increment()
    }

    func stored(_ kind: MediaKind, bytes: Int) {
        counter(MediaMetricNames.bytes, [("kind", kind.metricLabel)]).increment(by: Int64(bytes))
    }

    func md5Mismatch(_ kind: MediaKind) {
        counter(MediaMetricNames.md5Mismatches, [("kind", kind.metricLabel)]).increment()
    }

    private func counter(_ name: String, _ dimensions: [(String, String)]) -> Counter {
        let key = ([name] + dimensions.map { $0.0 + "=" + $0.1 }).joined(separator: "\u{0}")
        return counters.withLock { table in
            if let existing = table[key] { return existing }
            let created = Counter(label: name, dimensions: dimensions, factory: factory)
            table[key] = created
            return created
        }
    }
}

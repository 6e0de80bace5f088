import Pipeline

/// Where verified media ends up: an S3-compatible bucket or a local directory.
///
/// A store receives complete, verified files staged in its ``stagingDirectory`` and puts each
/// under its deterministic key, overwriting what a retry or a redelivery stored there before.
/// Failures are classified (``MediaArchiveFailure``): an unreachable store, a missing bucket or
/// denied access hold the pipeline; transient trouble is retried.
protocol MediaStore: Sendable {
    /// Where downloads are staged before ``store(_:key:)``.
    var stagingDirectory: String { get }
    /// Whether staged files must be `fsync`ed before they are stored (a rename publishes them).
    var syncsStagedFiles: Bool { get }
    /// Whether the store needs the SHA-256 of each object (S3's signed payload hash).
    var needsSHA256: Bool { get }
    /// Creates the staging directory and removes staging files a crash left behind.
    func prepare() async throws(MediaArchiveFailure)
    /// Stores `media` under `key` and returns its URI. The staged file is consumed (moved or
    /// uploaded); the caller removes whatever is left of it.
    func store(_ media: StagedMedia, key: MediaObjectKey) async throws(MediaArchiveFailure) -> String
}

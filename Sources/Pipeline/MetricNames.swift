/// The name of every metric the pipeline reports, in one place: dashboards and alerts depend on
/// them (the contract's `/metrics` section), so they are changed here or nowhere.
public enum MetricNames {
    /// Counter, label `status`: result events published, by ``VerificationStatus``.
    public static let events = "faceid_enricher_events_total"
    /// Counter, label `reason`: dead-letter events published, by ``DeadLetterReason``.
    public static let deadLetterEvents = "faceid_enricher_dlq_events_total"
    /// Counter, label `code`: API calls made, by `ok`, `pending`, API error code or a `Client.*` transport code.
    public static let apiCalls = "faceid_enricher_api_calls_total"
    /// Counter, label `reason`: waits before asking again (`retryable`, `rate_limited`,
    /// `pending`, `halting`, `publish`).
    public static let retries = "faceid_enricher_retries_total"
    /// Gauge: events accepted and not finished.
    public static let inFlightEvents = "faceid_enricher_in_flight_events"
    /// Gauge: this instance's current grant of the group budget: the calls per second it may make
    /// (its slots of the grid, lowered while the API answers `RequestLimitExceeded`).
    public static let rateLimitShare = "faceid_enricher_rate_limit_share_requests_per_second"
    /// Gauge: the demand this instance last published: calls ready per second.
    public static let rateDemand = "faceid_enricher_rate_demand_requests_per_second"
    /// Gauge: the whole group's demand in this instance's view of the current epoch.
    public static let rateGroupDemand = "faceid_enricher_rate_group_demand_requests_per_second"
    /// Gauge: members in this instance's view of the current epoch (0 when it has no view).
    public static let rateGroupMembers = "faceid_enricher_rate_group_members"
    /// Gauge: 1 while this instance cannot coordinate through the topic and takes the partition share.
    public static let rateCoordinationFallback = "faceid_enricher_rate_coordination_fallback"
    /// Counter, label `reason`: coordination records not trusted (`malformed`, `unknown_version`,
    /// `foreign`, `future`).
    public static let rateCoordinationRecordsIgnored = "faceid_enricher_rate_coordination_records_ignored_total"
    /// Timer (histogram): API call latency.
    public static let apiRequestDuration = "faceid_enricher_api_request_duration_seconds"
    /// Timer (histogram): from the input record's timestamp to the output's acknowledgement.
    public static let endToEndLatency = "faceid_enricher_end_to_end_latency_seconds"
    /// Counter: assignment changes (partitions assigned or revoked).
    public static let rebalances = "faceid_enricher_rebalances_total"
    /// Counter: offset commits that failed.
    public static let commitFailures = "faceid_enricher_commit_failures_total"
    /// Gauge: 1 while an error that stops progress holds events, else 0.
    public static let halted = "faceid_enricher_halted"
}

/// Bounded waiting for tests: checks a condition every 2 ms until it holds or the time is up,
/// so that no test loop runs unbounded.
public enum Poll {
    /// Returns `true` as soon as `condition` holds, `false` after `timeout` (at most
    /// timeout / 2 ms checks).
    public static func until(timeout: Duration = .seconds(10), _ condition: @Sendable () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if condition() { return true }
            do {
                try await clock.sleep(for: .milliseconds(2))
            } catch {
                return condition()
            }
        }
        return condition()
    }
}

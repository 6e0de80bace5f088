#if canImport(Glibc)
    import Glibc
#endif

/// Polls `condition` every 10 ms, at most `attempts` times (5 s by default); returns whether it
/// became true. Bounded in count and time, for waiting on another thread's side effect.
func eventually(attempts: Int = 500, _ condition: () -> Bool) async -> Bool {
    for _ in 0..<attempts {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

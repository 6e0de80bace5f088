import Synchronization

/// Joins concurrent calls for the same key: the first caller runs the operation, callers
/// arriving while it runs wait for the same result. Used so that events carrying the same
/// `bizToken` cause one API call, not several (the contract's "joined, not repeated").
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let waiters = Mutex<[Key: [CheckedContinuation<Value?, Never>]]>([:])

    /// An instance with nothing in flight.
    public init() {}

    /// Runs `operation` for `key`, or joins the run already in flight for it. Returns the value
    /// and whether it was joined (`true`) rather than computed by this caller. A joining caller
    /// waits for the running operation even if it is cancelled itself; `onJoin` is called before it
    /// starts waiting (to give up what it held for its own call, which the run it joins may need).
    public func run(
        _ key: Key,
        onJoin: () -> Void = {},
        operation: () async -> Value
    ) async -> (value: Value, joined: Bool) {
        // Checking for a running operation and registering as its follower happen under one lock,
        // inside the continuation, so a leader finishing concurrently cannot strand a follower.
        let joinedValue = await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            let isFollower = waiters.withLock { table -> Bool in
                if table[key] != nil {
                    table[key]?.append(continuation)
                    return true
                }
                table[key] = []
                return false
            }
            if isFollower { onJoin() } else { continuation.resume(returning: nil) }
        }
        if let joinedValue { return (joinedValue, true) }
        let value = await operation()
        let followers = waiters.withLock { table in table.removeValue(forKey: key) ?? [] }
        for follower in followers { follower.resume(returning: value) }
        return (value, false)
    }

    /// How many callers are waiting to join a running operation.
    public var joiningCount: Int { waiters.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// How many keys have an operation running.
    public var inFlightCount: Int { waiters.withLock { $0.count } }
}

import KafkaClient

/// A consumer's events plus a tick when nothing arrived for `idleTimeout` — how replay notices
/// it has read everything on brokers whose watermark query cannot be trusted (Tansu).
///
/// Each wait races one read of the consumer's shared event buffer against a timer. Elements are
/// never lost to the race: when the timer wins, the read is cancelled, and if it still produced
/// an element that element is delivered next. (`KafkaConsumerEvents` iterators are views of the
/// consumer's one buffer, so reading through a fresh iterator in the child task is the same
/// stream.)
struct IdleTimeoutEvents: Sendable {
    enum Event: Sendable {
        case event(KafkaConsumerEvent)
        case idle
    }

    private enum Outcome: Sendable {
        case element(KafkaConsumerEvent?)
        case timer
    }

    let base: KafkaConsumerEvents
    let idleTimeout: Duration

    func makeAsyncIterator() -> Iterator { Iterator(base: base, idleTimeout: idleTimeout) }

    struct Iterator {
        let base: KafkaConsumerEvents
        let idleTimeout: Duration
        var pending: [KafkaConsumerEvent] = []
        var isFinished = false

        mutating func next() async -> Event? {
            if !pending.isEmpty {
                return .event(pending.removeFirst())
            }
            if isFinished { return nil }
            let events = base
            let timeout = idleTimeout
            var results: [Outcome] = []
            await withTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    var reader = events.makeAsyncIterator()
                    return .element(await reader.next())
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return .timer
                }
                if let first = await group.next() { results.append(first) }
                group.cancelAll()
                for await rest in group { results.append(rest) }
            }
            var sawTimer = false
            var sawEnd = false
            for outcome in results {
                switch outcome {
                case .element(let element?): pending.append(element)
                case .element(nil): sawEnd = true
                case .timer: sawTimer = true
                }
            }
            if !pending.isEmpty {
                return .event(pending.removeFirst())
            }
            if sawEnd && !sawTimer {
                isFinished = true
                return nil
            }
            return .idle
        }
    }
}

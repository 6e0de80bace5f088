import Pipeline
import Synchronization
import Testing
import TestSupport

/// Counts operation runs across tasks.
final class RunCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite("Single flight: concurrent fetches of the same key share one call")
struct SingleFlightTests {
    @Test("callers arriving while a call runs get its result without a second call")
    func joins() async {
        let flight = SingleFlight<String, Int>()
        let gate = AsyncGate()
        let runs = RunCounter()
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            group.addTask {
                await flight.run("token") {
                    runs.increment()
                    await gate.wait()
                    return 42
                }
            }
            #expect(await Poll.until { gate.waitCount == 1 })
            for _ in 0..<3 {
                group.addTask {
                    await flight.run("token") {
                        runs.increment(); return -1
                    }
                }
            }
            group.addTask { await flight.run("other") { 7 } }
            #expect(await Poll.until { flight.joiningCount == 3 })
            gate.open()
            var collected: [(Int, Bool)] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(runs.value == 1)
        #expect(results.filter { $0.0 == 42 }.count == 4)
        #expect(results.filter { $0.0 == 42 && !$0.1 }.count == 1)
        #expect(results.contains { $0.0 == 7 && !$0.1 })
        #expect(flight.inFlightCount == 0)
        // A later call runs afresh.
        let later = await flight.run("token") { 43 }
        #expect(later.value == 43 && !later.joined)
    }
}

public import Foundation
import Synchronization

/// Recent failures per client address, fading with time: each failure adds
/// one, and a count halves every `halfLife` seconds. In memory, per instance,
/// bounded like the rate limiter's table (faded entries go first). It drives
/// the adaptive proof of work: an address that keeps answering captchas
/// wrong is asked for work, and for more of it the longer it goes on.
public final class FailureCounter: Sendable {
    private struct Entry {
        var count: Double
        var updated: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let halfLife: TimeInterval
    private let capacity: Int
    private let now: @Sendable () -> Date

    public init(halfLife: TimeInterval = 600, capacity: Int = 100_000, now: @escaping @Sendable () -> Date = Date.init) {
        self.halfLife = halfLife
        self.capacity = capacity
        self.now = now
    }

    private func faded(_ entry: Entry, at time: Date) -> Double {
        entry.count * pow(0.5, max(0, time.timeIntervalSince(entry.updated)) / halfLife)
    }

    /// Counts one failure of `address`.
    public func record(_ address: String) {
        let time = now()
        entries.withLock { table in
            if table.count >= capacity, table[address] == nil {
                table = table.filter { faded($0.value, at: time) >= 0.5 }
            }
            let current = table[address].map { faded($0, at: time) } ?? 0
            table[address] = Entry(count: current + 1, updated: time)
        }
    }

    /// The faded count of `address`.
    public func count(_ address: String) -> Double {
        let time = now()
        return entries.withLock { table in table[address].map { faded($0, at: time) } ?? 0 }
    }
}

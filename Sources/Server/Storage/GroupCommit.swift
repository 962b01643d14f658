import Synchronization

/// Group commit: callers hand in one item each and wait; one writer at a time
/// takes everything waiting and writes it with a single statement, then
/// resumes those callers. Under load a batch holds about as many items as there
/// are requests in flight, so the per-statement costs of the database (parse,
/// plan, the WAL commit, the hop to its thread) are paid once per batch rather
/// than once per request. Idle, an item is written at once, alone.
final class GroupCommit<Item: Sendable>: Sendable {
    typealias Waiter = CheckedContinuation<Void, any Error>

    private struct State {
        var pending: [(item: Item, waiter: Waiter)] = []
        var writing = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let write: @Sendable ([Item]) async throws -> Void

    init(maxBatch: Int, write: @escaping @Sendable ([Item]) async throws -> Void) {
        self.maxBatch = max(1, maxBatch)
        self.write = write
    }

    /// Returns once `item` is written; throws what its batch's write threw.
    func submit(_ item: Item) async throws {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let startWriter = state.withLock { state in
                state.pending.append((item, waiter))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [(item: Item, waiter: Waiter)] in
                let count = min(maxBatch, state.pending.count)
                if count == 0 { state.writing = false }
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            guard !batch.isEmpty else { return }
            do {
                try await write(batch.map(\.item))
                for entry in batch { entry.waiter.resume() }
            } catch {
                for entry in batch { entry.waiter.resume(throwing: error) }
            }
        }
    }
}

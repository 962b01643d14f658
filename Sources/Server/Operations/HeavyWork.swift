import NIOCore
import NIOPosix
import Synchronization

/// A bound on concurrent CPU- and memory-heavy jobs (picture decodes and
/// scrambles, scrypt): they run on NIO's blocking pool, at most `limit` at a
/// time across the server. A job that finds the bound full is refused at once
/// with 201204 and Retry-After rather than queued, so a flood of uploads costs
/// at most `limit` cores and their memory, and the event loops stay free.
public final class HeavyWork: Sendable {
    public let limit: Int
    private let running = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Jobs running now.
    public var inFlight: Int { running.load(ordering: .relaxed) }

    /// Runs `job` on the blocking pool, or refuses when `limit` jobs are running.
    public func run<Value: Sendable>(_ job: @escaping @Sendable () throws -> Value) async throws -> Value {
        guard running.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue <= limit else {
            running.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            ServerMetrics.rateLimited(bucket: "heavy-work")
            throw RetryAfter(error: ErrorCatalogue.rateLimited.because("the server is busy with other pictures; try again shortly"), seconds: 1)
        }
        defer { running.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try await NIOThreadPool.singleton.runIfActive(job)
    }
}

public import Foundation
public import Logging
public import ServiceLifecycle
import SQLKit

/// Deletes what has outlived its use, so that no table grows without bound:
/// expired sessions, captcha challenges, codes and sign-in states; tokens past
/// their lifetime; failed-login windows that have ended; outbox entries past
/// `OutboxMailer.retention`. Runs every `interval` as a service of the
/// application; `sweep()` is one pass (tests call it with a manual clock).
public struct Sweeper: Service {
    /// Used authorization codes are kept a day past their expiry, so that a
    /// replay within it is still recognised as one and revokes its grant.
    public static let codeReplayMemory: TimeInterval = 86_400

    let database: any SQLDatabase
    let loginWindow: TimeInterval
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        database: ServerDatabase, loginWindow: TimeInterval, interval: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = Date.init, logger: Logger = Logger(label: "upare.sweeper")
    ) {
        self.database = database.sql
        self.loginWindow = loginWindow
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            do {
                let removed = try await sweep()
                if removed > 0 { logger.debug("swept \(removed) expired rows") }
            } catch {
                logger.warning("sweep failed: \(String(describing: type(of: error)))")
            }
            // Returns early when the service group shuts down.
            try? await gracefulShutdown(sleeping: interval)
        }
    }

    /// One pass; the number of rows removed.
    @discardableResult
    public func sweep() async throws -> Int {
        let time = now().timeIntervalSince1970
        let rules: [(table: String, column: String, before: Double)] = [
            ("sessions", "expires_at", time),
            ("captcha_challenges", "expires_at", time),
            ("verification_codes", "expires_at", time),
            ("sns_states", "expires_at", time),
            ("sns_pending", "expires_at", time),
            ("oauth_tokens", "expires_at", time),
            ("oauth_codes", "expires_at", time - Self.codeReplayMemory),
            ("login_failures", "window_start", time - loginWindow),
            ("outbox", "created_at", time - OutboxMailer.retention),
        ]
        var removed = 0
        for rule in rules {
            let rows = try await database.raw("""
                DELETE FROM \(ident: rule.table) WHERE \(ident: rule.column) < \(bind: rule.before) RETURNING 1 AS gone
                """).all()
            removed += rows.count
        }
        return removed
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task is cancelled or its service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}

/// Sleeps `duration`, or less when a graceful shutdown begins.
func gracefulShutdown(sleeping duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}

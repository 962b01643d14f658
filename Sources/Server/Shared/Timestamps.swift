import Foundation

/// How replies write times, in one place for every store and route.
enum Timestamps {
    /// `2026-11-30T02:40:23Z`: what replies use for times.
    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import SQLKit
import Testing
import TestSupport

@Suite("HTTP API: calendar")
struct CalendarTests {
    @Test("add, events in a range, update; validation and 203101, 203301, owners only")
    func calendar() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "eve", email: "eve@example.com")
            try await server.register(http, "fay", email: "fay@example.com")
            let eve = try await server.login(http, "eve")
            let fay = try await server.login(http, "fay")
            func call(_ cookie: String?, _ action: String, _ fields: [String: String]) async throws -> [String: Any] {
                try await server.post(http, "/api/Calendar/\(action)", fields, cookie: cookie).body
            }
            #expect(try await call(nil, "events", [:])["error_code"] as? Int == 202101)
            #expect(try await call(eve, "events", ["start": "2026-12-01", "end": "2026-12-31"])["error_code"] as? Int == 203101)
            for (fields, detail) in [
                (["start": "2026-12-01T09:00:00Z"], "title is required"),
                (["title": "Stand-up"], "start is required"),
                (["title": "Stand-up", "start": "tomorrow"], "start must be an ISO 8601 time, a date or Unix seconds"),
                (["title": "Stand-up", "start": "2026-12-01T09:00:00Z", "end": "2026-12-01T08:00:00Z"], "end must not be before start"),
                (["title": "Stand-up", "start": "2026-12-01T09:00:00Z", "reminder": "-5"], "reminder is minutes before the start, 0...40320"),
            ] {
                let reply = try await call(eve, "add", fields)
                #expect(reply["error_code"] as? Int == 100004 && reply["detail"] as? String == detail, "\(reply)")
            }
            let added = try await call(eve, "add", [
                "title": "Stand-up", "start": "2026-12-01T09:00:00+08:00", "location": "Room 1", "reminder": "10",
            ])
            let event = try #require(added["event"] as? [String: Any])
            #expect(event["start"] as? String == "2026-12-01T01:00:00Z" && event["end"] as? String == "2026-12-01T02:00:00Z")
            #expect(event["reminder"] as? Int == 10 && event["all_day"] as? Bool == false)
            let holiday = try await call(eve, "add", ["title": "Holiday", "start": "2026-12-25", "all_day": "true"])
            #expect((holiday["event"] as? [String: Any])?["end"] as? String == "2026-12-26T00:00:00Z")

            let december = try await call(eve, "events", ["start": "2026-12-01", "end": "2027-01-01"])
            #expect((december["events"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Stand-up", "Holiday"])
            #expect(try await call(eve, "events", ["start": "2026-12-02", "end": "2026-12-20"])["error_code"] as? Int == 203101)
            #expect(try await call(fay, "events", ["start": "2026-12-01", "end": "2027-01-01"])["error_code"] as? Int == 203101)

            let id = String(try #require(event["id"] as? Int))
            #expect(try await call(eve, "update", ["title": "x"])["error_code"] as? Int == 203301)
            #expect(try await call(fay, "update", ["id": id, "title": "mine now"])["error_code"] as? Int == 404)
            let moved = try await call(eve, "update", ["id": id, "start": "2026-12-02T01:00:00Z", "reminder": "none"])
            let after = try #require(moved["event"] as? [String: Any])
            #expect(after["title"] as? String == "Stand-up" && after["end"] as? String == "2026-12-02T02:00:00Z" && after["reminder"] == nil)
            let check = try await call(eve, "events", ["start": "2026-12-02", "end": "2026-12-03"])
            #expect((check["events"] as? [[String: Any]])?.first?["location"] as? String == "Room 1")
        }
    }
}

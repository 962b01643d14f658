import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import SQLKit
import Testing
import TestSupport

@Suite("HTTP API: friends")
struct FriendTests {
    @Test("friendmake, friends, frienddel, friendsrecommend with their error codes")
    func friends() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            for name in ["ann", "ben", "cai", "dan"] { try await server.register(http, name, email: "\(name)@example.com") }
            var cookies: [String: String] = [:]
            for name in ["ann", "ben", "cai", "dan"] { cookies[name] = try await server.login(http, name) }
            func call(_ who: String?, _ action: String, _ fields: [String: String] = [:]) async throws -> [String: Any] {
                try await server.post(http, "/api/User/\(action)", fields, cookie: who.flatMap { cookies[$0] }).body
            }
            #expect(try await call(nil, "friends")["error_code"] as? Int == 202101)
            #expect(try await call("ann", "friends")["error_code"] as? Int == 204101)
            #expect(try await call("ann", "friendsrecommend")["error_code"] as? Int == 204101)

            #expect(try await call("ann", "friendmake", ["fid": "2"])["error_code"] as? Int == 0)
            #expect(try await call("ann", "friendmake", ["fid": "2"])["error_code"] as? Int == 204102)
            #expect(try await call("ann", "friendmake", ["fid": "1"])["error_code"] as? Int == 204102)
            #expect(try await call("ann", "friendmake", ["fid": "99"])["error_code"] as? Int == 202001)
            #expect(try await call("ann", "friendmake", ["fid": "two"])["error_code"] as? Int == 100004)
            let inbox = try await call("ben", "message")
            let notice = (inbox["messages"] as? [[String: Any]])?.first
            #expect(notice?["kind"] as? String == "friend" && notice?["sender_id"] as? Int == 1)

            _ = try await call("ben", "friendmake", ["fid": "3"])
            _ = try await call("ben", "friendmake", ["fid": "4"])
            _ = try await call("cai", "friendmake", ["fid": "4"])
            var recommended = try #require(try await call("ann", "friendsrecommend")["friends"] as? [[String: Any]])
            #expect(recommended.map { $0["uid"] as? Int } == [3, 4] && recommended.allSatisfy { $0["mutual_friends"] as? Int == 1 })
            _ = try await call("ann", "friendmake", ["fid": "3"])
            recommended = try #require(try await call("ann", "friendsrecommend")["friends"] as? [[String: Any]])
            #expect(recommended.count == 1 && recommended.first?["uid"] as? Int == 4 && recommended.first?["mutual_friends"] as? Int == 2)

            let list = try await call("ann", "friends")
            #expect((list["friends"] as? [[String: Any]])?.map { $0["username"] as? String } == ["ben", "cai"])
            #expect(try await call("ben", "friends")["total"] as? Int == 3, "friendship is mutual")
            #expect(try await call("ann", "frienddel", ["fid": "2"])["error_code"] as? Int == 0)
            #expect(try await call("ann", "frienddel", ["fid": "2"])["error_code"] as? Int == 204103)
            #expect(try await call("ben", "friends")["total"] as? Int == 2)
        }
    }

    @Test("recommendations at 100,000 users walk the primary key and rank by mutual friends")
    func scale() async throws {
        let server = try await TestServer.make()
        let sql = server.database.sql
        // 100,000 users; user i is friends with i±1 ... i±5 (1,000,000 rows each way).
        try await sql.raw("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
            INSERT INTO users (id, username, username_key, email, email_key, password_hash, created_at, updated_at)
            SELECT i, 'u' || i, 'u' || i, 'u' || i || '@example.com', 'u' || i || '@example.com', 'x', 0, 0 FROM n
            """).run()
        try await sql.raw("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000),
                 d(k) AS (VALUES (-5), (-4), (-3), (-2), (-1), (1), (2), (3), (4), (5))
            INSERT INTO friendships (user_id, friend_id, created_at)
            SELECT i, i + k, 0 FROM n, d WHERE i + k BETWEEN 1 AND 100000
            """).run()
        let recommended = try await server.services.friends.recommendations(for: 50_000, limit: 4)
        // Friends of friends are 6...10 away; i ± 6 shares five friends (i ± 1...5), i ± 7 four.
        #expect(recommended.map(\.uid) == [49_994, 50_006, 49_993, 50_007])
        #expect(recommended.map(\.mutualFriends) == [5, 5, 4, 4])
        guard server.database.dialect == .sqlite else {
            // PostgreSQL plans by statistics; the ranking above is what matters there.
            _ = try await server.test { _ in }
            return
        }
        struct Plan: Decodable { var detail: String }
        let plan = try await sql.raw("""
            EXPLAIN QUERY PLAN SELECT f2.friend_id AS candidate, COUNT(*) AS mutual
            FROM friendships f1 JOIN friendships f2 ON f2.user_id = f1.friend_id
            WHERE f1.user_id = 50000 AND f2.friend_id <> 50000
                AND NOT EXISTS (SELECT 1 FROM friendships f3 WHERE f3.user_id = 50000 AND f3.friend_id = f2.friend_id)
            GROUP BY f2.friend_id
            """).all(decoding: Plan.self).map(\.detail)
        #expect(!plan.contains { $0.hasPrefix("SCAN f") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH f1") } && plan.contains { $0.contains("SEARCH f2") })
        _ = try await server.test { _ in }
    }
}

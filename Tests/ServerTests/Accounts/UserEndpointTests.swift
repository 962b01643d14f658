import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Raster
import Server
import SQLKit
import Testing
import TestSupport

@Suite("HTTP API: User")
struct UserEndpointTests {
    @Test("register: account created with a bcrypt hash and a code mailed; duplicates and bad fields refused")
    func register() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { client in
            let body = try await server.register(client, "alice", email: "Alice@Example.com")
            #expect(body["uid"] as? Int == 1 && body["email_confirmed"] as? Bool == false && body["api_uri"] as? String == "apis/User/register")
            #expect(body["password"] == nil && body["password_hash"] == nil)
            let code = try await server.lastCode(to: "Alice@Example.com")
            #expect(code.count == 6)
            let row = try await server.database.sql.raw("SELECT password_hash FROM users").first()
            let hash = try #require(try row?.decode(column: "password_hash", as: String.self))
            #expect(hash.hasPrefix("$2b$04$") && !hash.contains("correct horse"))

            let taken = try await server.post(client, "/api/User/register", ["username": "ALICE", "email": "b@example.com", "password": "password1"])
            #expect(taken.status == .conflict && taken.body["error_code"] as? Int == 202002)
            let email = try await server.post(client, "/api/User/register", ["username": "bob", "email": "alice@example.COM", "password": "password1"])
            #expect(email.status == .conflict && email.body["error_code"] as? Int == 202003)

            for (fields, detail) in [
                (["username": "b", "email": "b@example.com", "password": "password1"], "username"),
                (["username": "bob", "email": "not-an-address", "password": "password1"], "email"),
                (["username": "bob", "email": "b@example.com", "password": "short"], "password"),
                (["username": "bob", "email": "b@example.com", "password": String(repeating: "x", count: 73)], "password"),
                (["username": "bob'; DROP TABLE users; --", "email": "b@example.com", "password": "password1"], "username"),
            ] {
                let reply = try await server.post(client, "/api/User/register", fields)
                #expect(reply.status == .badRequest && reply.body["error_code"] as? Int == 100004)
                #expect((reply.body["detail"] as? String)?.hasPrefix(detail) == true, "\(reply.body)")
            }
            #expect(try await server.count("users") == 1)
            try await client.execute(uri: "/api/User/register", method: .get) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 200001)
            }
        }
    }

    @Test("register: when the code cannot be mailed, 202201 and no account is left behind")
    func registerMailFailure() async throws {
        let server = try await TestServer.make(mailer: { database, folder in
            let script = try MailerTests.script(in: folder, exitStatus: 1)
            return SendmailMailer(command: [script.path], from: "upare@localhost", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        })
        try await server.test { client in
            let reply = try await server.post(client, "/api/User/register", ["username": "carol", "email": "carol@example.com", "password": "password1"])
            #expect(reply.body["error_code"] as? Int == 202201)
            #expect(try await server.count("users") == 0)
            #expect(try await server.count("verification_codes") == 0, "the undelivered code is withdrawn")
        }
    }

    @Test("captcha then login end to end: wrong captcha, wrong password, success with a new cookie, remember, logout")
    func captchaThenLogin() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await server.register(client, "dave", email: "dave@example.com")

            let missing = try await server.post(client, "/api/User/login", ["username": "dave"])
            #expect(missing.body["error_code"] as? Int == 202102)

            var session = try await server.captchaSession(client)
            let badCaptcha = try await server.post(
                client, "/api/User/login", ["username": "dave", "password": "correct horse", "captcha": "zzzz"], cookie: session.cookie)
            #expect(badCaptcha.body["error_code"] as? Int == 200002)

            session = try await server.captchaSession(client, cookie: session.cookie)
            let wrong = try await server.post(
                client, "/api/User/login", ["username": "dave", "password": "wrong horse", "captcha": session.answer], cookie: session.cookie)
            #expect(wrong.status == .unauthorized && wrong.body["error_code"] as? Int == 202103)
            // The captcha is single use, even after a wrong password.
            let replay = try await server.post(
                client, "/api/User/login", ["username": "dave", "password": "correct horse", "captcha": session.answer], cookie: session.cookie)
            #expect(replay.body["error_code"] as? Int == 200002)
            let unknown = try await server.captchaSession(client, cookie: session.cookie)
            let nobody = try await server.post(
                client, "/api/User/login", ["username": "nobody", "password": "wrong horse", "captcha": unknown.answer], cookie: unknown.cookie)
            #expect(nobody.body["error_code"] as? Int == 202103, "unknown accounts answer like wrong passwords")

            session = try await server.captchaSession(client, cookie: session.cookie)
            let success = try await server.post(
                client, "/api/User/login", ["username": "dave", "password": "correct horse", "captcha": session.answer], cookie: session.cookie)
            #expect(success.body["error_code"] as? Int == 0 && success.body["username"] as? String == "dave")
            let setCookie = try #require(success.setCookie)
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && !setCookie.contains("Max-Age"))
            let loggedIn = try #require(setCookie.split(separator: ";").first.map(String.init))
            #expect(loggedIn != session.cookie, "a login issues a new session token")

            let inbox = try await server.post(client, "/api/User/message", [:], cookie: loggedIn)
            #expect(inbox.body["error_code"] as? Int == 0 && inbox.body["total"] as? Int == 1)
            let anonymous = try await server.post(client, "/api/User/message", [:], cookie: session.cookie)
            #expect(anonymous.status == .unauthorized && anonymous.body["error_code"] as? Int == 202101)

            // By e-mail address, remembered: a persistent cookie.
            let remembered = try await server.captchaSession(client)
            let persistent = try await server.post(
                client, "/api/User/login",
                ["username": "DAVE@example.com", "password": "correct horse", "captcha": remembered.answer, "remember": "true"],
                cookie: remembered.cookie)
            #expect(persistent.setCookie?.contains("Max-Age=2592000") == true)

            let logout = try await server.post(client, "/api/User/logout", [:], cookie: loggedIn)
            #expect(logout.body["error_code"] as? Int == 0)
            let after = try await server.post(client, "/api/User/message", [:], cookie: loggedIn)
            #expect(after.body["error_code"] as? Int == 202101)
        }
    }

    @Test("login throttling: failures per account lock it for the window, then it opens again")
    func throttle() async throws {
        let server = try await TestServer.make { configuration in
            configuration.loginLimits.perAccount = 3
            configuration.rateLimits.enabled = false
        }
        try await server.test { client in
            try await server.register(client, "erin", email: "erin@example.com")
            for _ in 0..<3 {
                let session = try await server.captchaSession(client)
                let reply = try await server.post(
                    client, "/api/User/login", ["username": "erin", "password": "guess", "captcha": session.answer], cookie: session.cookie)
                #expect(reply.body["error_code"] as? Int == 202103)
            }
            let session = try await server.captchaSession(client)
            let locked = try await server.post(
                client, "/api/User/login", ["username": "Erin", "password": "correct horse", "captcha": session.answer], cookie: session.cookie)
            #expect(locked.status == .tooManyRequests && locked.body["error_code"] as? Int == 201204)
            #expect(locked.body["retry_after"] as? Int == 900)
            server.clock.advance(901)
            _ = try await server.login(client, "erin")
        }
    }

    @Test("validateUniqueUsername and validateUniqueEmail, as json and as code")
    func uniqueness() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await server.register(client, "frank", email: "frank@example.com")
            let free = try await server.post(client, "/api/User/validateUniqueUsername", ["username": "grace", "response_type": "json"])
            #expect(free.status == .ok && free.body["error_code"] as? Int == 0)
            let taken = try await server.post(client, "/apis/User/validateUniqueUsername", ["username": "Frank"])
            #expect(taken.body["error_code"] as? Int == 202002 && taken.body["message"] as? String == "The username already registered")
            let email = try await server.post(client, "/api/User/validateUniqueEmail", ["email": "FRANK@example.com"])
            #expect(email.body["error_code"] as? Int == 202003)
            let freeEmail = try await server.post(client, "/api/User/validateUniqueEmail", ["email": "grace@example.com"])
            #expect(freeEmail.body["error_code"] as? Int == 0)

            for (name, expected) in [("grace", "0"), ("frank", "202002"), ("x", "100004")] {
                try await client.execute(
                    uri: "/api/User/validateUniqueUsername", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: TestServer.form(["username": name, "response_type": "code"])
                ) { response in
                    #expect(String(buffer: response.body) == expected)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                }
            }
            let bad = try await server.post(client, "/api/User/validateUniqueUsername", ["username": "grace", "response_type": "xml"])
            #expect(bad.body["error_code"] as? Int == 100004)
        }
    }

    @Test("sendcode: e-mail and SMS to the outbox, the interval with the seconds left, the caller's own address")
    func sendCode() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { client in
            let sent = try await server.sendCode(client, ["medium": "henry@example.com"])
            #expect(sent.body["error_code"] as? Int == 0 && sent.body["expires_in"] as? Int == 600)
            let code = try await server.lastCode(to: "henry@example.com")
            #expect(!"\(sent.body)".contains(code), "the code is never in the reply")

            server.clock.advance(20)
            let again = try await server.sendCode(client, ["medium": "HENRY@example.com"])
            #expect(again.status == .tooManyRequests && again.body["error_code"] as? Int == 202007)
            #expect(again.body["message"] as? String == "The sending interval of verification code is 40 seconds")
            server.clock.advance(40)
            #expect(try await server.sendCode(client, ["medium": "henry@example.com"]).body["error_code"] as? Int == 0)

            let sms = try await server.sendCode(client, ["medium": "+852 6366-4860"])
            #expect(sms.body["error_code"] as? Int == 0)
            let entry = try await server.outbox.recent(limit: 1).first
            #expect(entry?.medium == "sms" && entry?.recipient == "+85263664860")

            let invalid = try await server.sendCode(client, ["medium": "12ab"])
            #expect(invalid.body["error_code"] as? Int == 100004)
            let anonymous = try await server.sendCode(client, [:])
            #expect(anonymous.body["error_code"] as? Int == 202101, "no medium and nobody signed in")
            let noCaptcha = try await server.post(client, "/api/User/sendcode", ["medium": "henry@example.com"])
            #expect(noCaptcha.body["error_code"] as? Int == 200002, "an anonymous caller needs a captcha to make the server send mail")

            try await server.register(client, "henry", email: "henry2@example.com")
            server.clock.advance(60)
            let cookie = try await server.login(client, "henry")
            let own = try await server.post(client, "/api/User/sendcode", [:], cookie: cookie)
            #expect(own.body["error_code"] as? Int == 0)
            #expect(try await server.outbox.recent(limit: 1).first?.recipient == "henry2@example.com")
        }
    }

    @Test("sendcode: a failed delivery is 100005 and does not hold up the next try")
    func sendCodeFailure() async throws {
        let server = try await TestServer.make(mailer: { database, folder in
            let script = try MailerTests.script(in: folder, exitStatus: 75)
            return SendmailMailer(command: [script.path], from: "upare@localhost", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        })
        try await server.test { client in
            for _ in 0..<2 {
                let reply = try await server.sendCode(client, ["medium": "ivan@example.com"])
                #expect(reply.status == .badGateway && reply.body["error_code"] as? Int == 100005)
            }
        }
    }

    @Test("validateCommunicationCode: wrong codes count, the right one confirms the e-mail once, expiry and the attempt cap")
    func validateCode() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { client in
            try await server.register(client, "judy", email: "judy@example.com")
            let code = try await server.lastCode(to: "judy@example.com")
            let wrongCode = code == "000000" ? "000001" : "000000"
            let wrong = try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": wrongCode])
            #expect(wrong.body["error_code"] as? Int == 202006)
            let right = try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": code])
            #expect(right.body["error_code"] as? Int == 0)
            let reused = try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": code])
            #expect(reused.body["error_code"] as? Int == 202006, "a code is used once")
            #expect(try await server.services.users.credentials("judy")?.user.emailConfirmed == true)

            // Five wrong guesses use the code up; so does time.
            server.clock.advance(61)
            try await server.sendCode(client, ["medium": "judy@example.com"])
            let second = try await server.lastCode(to: "judy@example.com")
            let miss = second == "000000" ? "000001" : "000000"
            for _ in 0..<5 {
                try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": miss])
            }
            let capped = try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": second])
            #expect(capped.body["error_code"] as? Int == 202006)
            server.clock.advance(61)
            try await server.sendCode(client, ["medium": "judy@example.com"])
            let third = try await server.lastCode(to: "judy@example.com")
            server.clock.advance(601)
            let expired = try await server.post(client, "/api/User/validateCommunicationCode", ["medium": "judy@example.com", "code": third])
            #expect(expired.body["error_code"] as? Int == 202006)

            // Without a medium: the caller's own address; 202101 without a login.
            let anonymous = try await server.post(client, "/api/User/validateCommunicationCode", ["code": third])
            #expect(anonymous.body["error_code"] as? Int == 202101)
        }
    }

    @Test("message: the inbox, one message marked read, nobody else's")
    func messages() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { client in
            try await server.register(client, "kate", email: "kate@example.com")
            try await server.register(client, "leo", email: "leo@example.com")
            try await server.services.messages.send(to: 1, from: 2, kind: "user", title: "Hello", body: "from leo", at: server.clock.now)
            let kate = try await server.login(client, "kate")
            let leo = try await server.login(client, "leo")

            let inbox = try await server.post(client, "/api/User/message", [:], cookie: kate)
            let items = try #require(inbox.body["messages"] as? [[String: Any]])
            #expect(items.count == 2 && inbox.body["unread"] as? Int == 2)
            #expect(items.first?["title"] as? String == "Hello" && items.first?["sender_id"] as? Int == 2)
            let id = try #require(items.first?["id"] as? Int)

            let read = try await server.post(client, "/api/User/message", ["id": String(id)], cookie: kate)
            let item = try #require(read.body["item"] as? [String: Any])
            #expect(item["body"] as? String == "from leo" && item["read"] as? Bool == true)
            let after = try await server.post(client, "/api/User/message", ["limit": "1"], cookie: kate)
            #expect(after.body["unread"] as? Int == 1 && (after.body["messages"] as? [Any])?.count == 1)

            let stranger = try await server.post(client, "/api/User/message", ["id": String(id)], cookie: leo)
            #expect(stranger.status == .notFound && stranger.body["error_code"] as? Int == 404)
            let bad = try await server.post(client, "/api/User/message", ["id": "1 OR 1=1"], cookie: kate)
            #expect(bad.body["error_code"] as? Int == 100004)
            let badLimit = try await server.post(client, "/api/User/message", ["limit": "0"], cookie: kate)
            #expect(badLimit.body["error_code"] as? Int == 100004)
        }
    }

    @Test("JSON and multipart bodies work like forms")
    func bodyKinds() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await client.execute(
                uri: "/api/User/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username":"mia","email":"mia@example.com","password":"password1"}"#)
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 0)
            }
            try await client.execute(
                uri: "/api/User/validateUniqueEmail", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=upare-test-boundary"],
                body: ImageEndpointTests.multipart(["email": "mia@example.com"], file: [])
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 202003)
            }
        }
    }
}

import Foundation
public import HTTPTypes
public import Hummingbird
public import HummingbirdTesting
public import Server
import SQLKit

/// Requests of the user endpoints, as a browser would send them.
extension TestServer {

    /// The JSON object of a reply.
    public static func json(_ response: TestResponse) throws -> [String: Any] {
        try (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            .required("a JSON object in the reply")
    }

    /// The `name=value` of a reply's Set-Cookie.
    public static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }

    /// Fails unless the envelope says 0.
    static func expectSuccess(_ body: [String: Any]) throws {
        guard body["error_code"] as? Int == 0 else { throw HarnessError("expected error_code 0, got \(body)") }
    }
    public static func form(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = fields.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    /// POSTs `fields` as a form; returns status, JSON body and the Set-Cookie header.
    @discardableResult
    public func post(
        _ client: some TestClientProtocol, _ path: String, _ fields: [String: String], cookie: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any], setCookie: String?) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .post, headers: headers, body: Self.form(fields)) { response in
            (response.status, try Self.json(response), response.headers[.setCookie])
        }
    }

    /// A captcha picture fetched as a browser would: the session cookie and the answer.
    public func captchaSession(
        _ client: some TestClientProtocol, cookie: String? = nil, scenario: String = ""
    ) async throws -> (cookie: String, answer: String) {
        let headers: HTTPFields = cookie.map { [.cookie: $0] } ?? [:]
        let received = try await client.execute(uri: "/api/Image/captcha?id=\(scenario)", method: .get, headers: headers) { response in
            Self.cookie(response)
        }
        return (try (received ?? cookie).required("a session cookie from Image/captcha"), lastAnswer(for: scenario))
    }

    /// `User/sendcode` for an anonymous caller: behind a fresh captcha.
    @discardableResult
    public func sendCode(_ client: some TestClientProtocol, _ fields: [String: String]) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        let session = try await captchaSession(client)
        let reply = try await post(client, "/api/User/sendcode", fields.merging(["captcha": session.answer]) { $1 }, cookie: session.cookie)
        return (reply.status, reply.body)
    }

    @discardableResult
    public func register(_ client: some TestClientProtocol, _ username: String, email: String, password: String = "correct horse") async throws -> [String: Any] {
        let reply = try await post(client, "/api/User/register", ["username": username, "email": email, "password": password])
        try Self.expectSuccess(reply.body)
        return reply.body
    }

    /// Logs in through a fresh captcha; returns the session cookie.
    @discardableResult
    public func login(_ client: some TestClientProtocol, _ username: String, password: String = "correct horse", remember: Bool = false) async throws -> String {
        let session = try await captchaSession(client)
        let reply = try await post(
            client, "/api/User/login",
            ["username": username, "password": password, "captcha": session.answer, "remember": remember ? "1" : "0"],
            cookie: session.cookie)
        try Self.expectSuccess(reply.body)
        return try (reply.setCookie?.split(separator: ";").first.map(String.init)).required("the session cookie of User/login")
    }

    /// The newest code in the outbox for `recipient`.
    public func lastCode(to recipient: String) async throws -> String {
        let entry = try await OutboxMailer(database: database, secret: TestServer.secret).recent(limit: 50).first { $0.recipient == recipient }
        let body = try (entry?.body).required("a message to \(recipient) in the outbox")
        let code = body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }
        return String(try code.required("a 6-digit code in the message"))
    }

    public func count(_ table: String) async throws -> Int {
        let row = try await database.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
        return try row?.decode(column: "n", as: Int.self) ?? -1
    }
}


extension TestServer {
    public func client(
        _ name: String = "Example App", redirect: String = "https://app.example/cb", isPublic: Bool = false, firstParty: Bool = false,
        scopes: Set<String> = ["basic", "messages"]
    ) async throws -> (client: OAuthClient, secret: String?) {
        try await services.clients.register(
            name: name, redirectURIs: [redirect], scopes: scopes, isPublic: isPublic, firstParty: firstParty, at: clock.now)
    }

    /// GET with an optional cookie and headers; returns status, headers and the body text.
    public func get(
        _ client: some TestClientProtocol, _ path: String, cookie: String? = nil
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, text: String) {
        let headers: HTTPFields = cookie.map { [.cookie: $0] } ?? [:]
        return try await client.execute(uri: path, method: .get, headers: headers) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    public static func query(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }
            .joined(separator: "&")
    }

    public static func parameters(of location: String?) -> [String: String] {
        let items = URLComponents(string: location ?? "")?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }
}

extension HTTPFields {
    public func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}

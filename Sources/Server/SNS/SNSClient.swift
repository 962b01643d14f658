internal import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1

/// The server's side of a social sign-in: the code exchanged at the
/// provider's token endpoint (with the PKCE verifier), then the user info read
/// with the access token.
///
/// Through AsyncHTTPClient rather than URLSession: a reply is read only up to
/// `replyLimit` bytes (URLSession buffers all of it first), no redirect is
/// followed (a token endpoint that redirects is misconfigured or hostile), and
/// the binary does not link FoundationNetworking, whose libcurl and its ten
/// libraries cost every `upare` command about 10 ms of start-up.
struct SNSClient: Sendable {
    struct Identity: Sendable, Equatable {
        var externalID: String
        var displayName: String
    }

    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// At most this long for each call to the provider, connection included.
    static let timeout = TimeAmount.seconds(10)
    /// The largest reply read from a provider.
    static let replyLimit = 1 << 20

    /// One client for the process, on NIO's shared event loops; it lives as
    /// long as the process, so it is never shut down.
    private static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: timeout, read: timeout)))

    func identity(provider: SNSProvider, code: String, verifier: String) async throws -> Identity {
        guard URL(string: provider.tokenURL)?.host != nil, URL(string: provider.userinfoURL)?.host != nil else {
            throw Failure(reason: "the provider's URLs are not valid")
        }
        var tokenRequest = HTTPClientRequest(url: provider.tokenURL)
        tokenRequest.method = .POST
        tokenRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        tokenRequest.headers.add(name: "Accept", value: "application/json")
        tokenRequest.body = .bytes(ByteBuffer(string: Self.form([
            "grant_type": "authorization_code", "code": code, "redirect_uri": provider.redirectURI,
            "client_id": provider.clientID, "client_secret": provider.clientSecret, "code_verifier": verifier,
        ])))
        let token = try await json(tokenRequest)
        guard let accessToken = token["access_token"] as? String, !accessToken.isEmpty else {
            throw Failure(reason: "the provider's token reply has no access_token")
        }
        var infoRequest = HTTPClientRequest(url: provider.userinfoURL)
        infoRequest.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        infoRequest.headers.add(name: "Accept", value: "application/json")
        let info = try await json(infoRequest)
        guard let id = Self.text(info[provider.idField]) ?? Self.text(token[provider.idField]), !id.isEmpty, id.count <= 128 else {
            throw Failure(reason: "the provider's reply has no \(provider.idField)")
        }
        let name = provider.nameField.flatMap { Self.text(info[$0]) } ?? id
        return Identity(externalID: id, displayName: String(name.prefix(64)))
    }

    private func json(_ request: HTTPClientRequest) async throws -> [String: Any] {
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: Self.timeout)
        } catch {
            throw Failure(reason: "the provider could not be reached or did not answer in time")
        }
        guard (200..<300).contains(response.status.code) else {
            throw Failure(reason: "the provider answered \(response.status.code)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.replyLimit)
        } catch {
            throw Failure(reason: "the provider's reply is longer than \(Self.replyLimit) bytes or was cut off")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw Failure(reason: "the provider's reply is not a JSON object")
        }
        return object
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func form(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}

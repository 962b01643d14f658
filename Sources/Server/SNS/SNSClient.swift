import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server's side of a social sign-in: the code exchanged at the
/// provider's token endpoint (with the PKCE verifier), then the user info read
/// with the access token.
struct SNSClient: Sendable {
    struct Identity: Sendable, Equatable {
        var externalID: String
        var displayName: String
    }

    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// At most this long for each call to the provider.
    static let timeout: TimeInterval = 10

    func identity(provider: SNSProvider, code: String, verifier: String) async throws -> Identity {
        guard let tokenURL = URL(string: provider.tokenURL), let userinfoURL = URL(string: provider.userinfoURL) else {
            throw Failure(reason: "the provider's URLs are not valid")
        }
        var tokenRequest = URLRequest(url: tokenURL, timeoutInterval: Self.timeout)
        tokenRequest.httpMethod = "POST"
        tokenRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        tokenRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        tokenRequest.httpBody = Data(Self.form([
            "grant_type": "authorization_code", "code": code, "redirect_uri": provider.redirectURI,
            "client_id": provider.clientID, "client_secret": provider.clientSecret, "code_verifier": verifier,
        ]).utf8)
        let token = try await json(tokenRequest)
        guard let accessToken = token["access_token"] as? String, !accessToken.isEmpty else {
            throw Failure(reason: "the provider's token reply has no access_token")
        }
        var infoRequest = URLRequest(url: userinfoURL, timeoutInterval: Self.timeout)
        infoRequest.setValue("Bearer \(accessToken)", forHTTPHeaderField: "Authorization")
        infoRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        let info = try await json(infoRequest)
        guard let id = Self.text(info[provider.idField]) ?? Self.text(token[provider.idField]), !id.isEmpty, id.count <= 128 else {
            throw Failure(reason: "the provider's reply has no \(provider.idField)")
        }
        let name = provider.nameField.flatMap { Self.text(info[$0]) } ?? id
        return Identity(externalID: id, displayName: String(name.prefix(64)))
    }

    private func json(_ request: URLRequest) async throws -> [String: Any] {
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw Failure(reason: "the provider answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard data.count <= 1 << 20, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
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

import Foundation

/// A social sign-in provider (weibo, qq, github...): any OAuth 2.0
/// authorization-code provider with a user-info endpoint. Configured by a JSON
/// file named in `UPARE_SNS_PROVIDERS`:
///
///     {"weibo": {"authorize_url": "https://api.weibo.com/oauth2/authorize",
///                "token_url": "https://api.weibo.com/oauth2/access_token",
///                "userinfo_url": "https://api.weibo.com/2/users/show.json",
///                "client_id": "...", "client_secret": "...",
///                "redirect_uri": "https://example.com/api/User/snsCallback?channel=weibo",
///                "scope": "", "id_field": "uid", "name_field": "screen_name"}}
///
/// The account id is read from `id_field` of the user info, or else of the
/// token reply (Weibo puts `uid` there).
public struct SNSProvider: Sendable, Codable, Equatable {
    public var authorizeURL: String
    public var tokenURL: String
    public var userinfoURL: String
    public var clientID: String
    public var clientSecret: String
    public var redirectURI: String
    public var scope: String?
    public var idField: String
    public var nameField: String?

    enum CodingKeys: String, CodingKey {
        case authorizeURL = "authorize_url", tokenURL = "token_url", userinfoURL = "userinfo_url"
        case clientID = "client_id", clientSecret = "client_secret", redirectURI = "redirect_uri"
        case scope, idField = "id_field", nameField = "name_field"
    }

    public init(
        authorizeURL: String, tokenURL: String, userinfoURL: String, clientID: String, clientSecret: String,
        redirectURI: String, scope: String? = nil, idField: String = "id", nameField: String? = "name"
    ) {
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.userinfoURL = userinfoURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scope = scope
        self.idField = idField
        self.nameField = nameField
    }

    /// The providers of a configuration file; channel names are lower-case letters and digits.
    public static func load(path: String) throws -> [String: SNSProvider] {
        let providers = try JSONDecoder().decode([String: SNSProvider].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        for channel in providers.keys where channel.isEmpty || !channel.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) {
            throw SNSConfigurationError(reason: "\(path): channel \"\(channel)\" must be lower-case letters and digits")
        }
        return providers
    }
}

public struct SNSConfigurationError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

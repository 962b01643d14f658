/// The JSON schema of every payload key an envelope reply of the endpoint
/// table may carry, for the OpenAPI document. A test holds the table's reply
/// keys to this list, so no reply is described as an empty object.
public enum PayloadSchemas {
    static let integer: [String: any Sendable] = ["type": "integer"]
    static let string: [String: any Sendable] = ["type": "string"]
    static let boolean: [String: any Sendable] = ["type": "boolean"]
    static func object(_ description: String) -> [String: any Sendable] { ["type": "object", "description": description] }
    static func list(of items: [String: any Sendable], _ description: String) -> [String: any Sendable] {
        ["type": "array", "items": items, "description": description]
    }

    static let byKey: [String: [String: any Sendable]] = [
        // Accounts
        "uid": integer, "username": string, "email": string, "email_confirmed": boolean, "nickname": string, "phone": string,
        "code_sent": boolean, "session_expires_in": integer, "expires_in": integer,
        "messages": list(of: object("a message: id, kind, title, body, sender, created_at, read"), "the inbox, newest first"),
        "item": object("one message: id, kind, title, body, sender, created_at, read"),
        "total": integer, "unread": integer,
        "sessions": list(of: object("a session: id, persistent, created_at, expires_at, current"), "the caller's live sessions"),
        "grants": list(of: object("an OAuth grant: id, client_id, client_name, scope, created_at"), "the caller's app grants"),
        "ended": integer,
        // Settings
        "avatar": object("the avatar's URLs by size (256, 128, 48)"),
        "details": object("realname, idcard (masked), address, gender, nation, postalcode, departmentcode, majorcode, leader"),
        // Social accounts
        "channel": string, "channels": list(of: string, "the bound providers"), "logged_in": boolean, "bound": boolean,
        "sns_pending": boolean, "display_name": string,
        // Friends and calendar
        "friends": list(of: object("a friend: uid, username, nickname, since, mutual_friends"), "friends"),
        "friend": object("uid, username, nickname"),
        "events": list(of: object("an event: id, title, start, end, all_day, location, description, reminder"), "events by start"),
        "event": object("id, title, start, end, all_day, location, description, reminder"),
        // Image
        "captcha_token": string, "image": ["type": "string", "description": "a data: URI of the picture"] as [String: any Sendable],
        "key_id": integer, "key": ["type": "string", "description": "64 hex digits"] as [String: any Sendable],
        "pow_required": ["type": "boolean", "description": "whether the answer must come with a proof of work (Image/pow) as altcha"] as [String: any Sendable],
        "algorithm": string, "challenge": string, "maxnumber": integer, "salt": string, "signature": string,
        // OAuth
        "access_token": string, "refresh_token": string, "token_type": string, "remind_in": integer, "scope": string,
    ]

    /// The schema of `key`; an unlisted key is described as text (and fails the test).
    static func schema(_ key: String) -> [String: any Sendable] { byKey[key] ?? string }

    /// Every payload key the table's envelope replies name.
    static var replyKeys: Set<String> {
        var keys = Set<String>()
        for endpoint in EndpointTable.all {
            switch endpoint.reply {
            case .envelope(let names), .pictureOrEnvelope(let names): keys.formUnion(names)
            case .picture, .audio, .redirectOrPage: break
            }
        }
        return keys
    }

    /// Reply keys without a schema (the test expects none).
    public static var undescribed: [String] { replyKeys.subtracting(byKey.keys).sorted() }
}

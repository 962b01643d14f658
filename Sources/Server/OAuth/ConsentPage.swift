import Foundation

/// The page that asks a user to let a client act for them: a form that posts
/// the same authorization request back with `consent=allow` or `deny` and a
/// token tying it to this session (no cross-site form can forge one).
enum ConsentPage {
    static func html(client: OAuthClient, scopes: Set<String>, fields: [String: String]) -> String {
        let hidden = fields.sorted { $0.key < $1.key }.map { key, value in
            "<input type=\"hidden\" name=\"\(escape(key))\" value=\"\(escape(value))\">"
        }.joined(separator: "\n      ")
        let items = scopes.sorted().map { "<li>\(escape(describe($0)))</li>" }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize \(escape(client.name))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body>
            <h1>\(escape(client.name)) asks to use your upare account</h1>
            <p>It will be able to:</p><ul>\(items)</ul>
            <form method="post" action="/api/Oauth/authorize">
              \(hidden)
              <button type="submit" name="consent" value="allow">Allow</button>
              <button type="submit" name="consent" value="deny">Deny</button>
            </form>
            </body></html>
            """
    }

    static func describe(_ scope: String) -> String {
        switch scope {
        case "basic": "see your username and e-mail address"
        case "messages": "read your messages"
        case "calendar": "see and change your calendar"
        case "friends": "see and change your friends"
        case "profile": "see your real name, address and the last four characters of your ID number"
        default: scope
        }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

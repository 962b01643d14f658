import Foundation

/// `docs/api.md`: the reference of every endpoint, written from `EndpointTable`
/// (and the default `RateLimits` and the error catalogue) by
/// `upare endpoints --markdown`. A test holds the committed file to it.
public enum EndpointReference {
    public static func markdown(limits: RateLimits = RateLimits()) -> String {
        var lines: [String] = [
            "# upare HTTP API",
            "",
            "<!-- Generated from Sources/Server/Endpoints/EndpointTable.swift by",
            "     `upare endpoints --markdown > docs/api.md`; a test fails when they differ. -->",
            "",
            "Paths are `/api/<Section>/<action>` and `/apis/<Section>/<action>`, with or without a trailing slash.",
            "Parameters come from the query string or a form, multipart or JSON body. Every reply other than a",
            "picture, a redirect or a page is the envelope `{\"error_code\": 0, \"api_uri\": ..., \"message\": ...}`",
            "with the payload keys listed below. A POST-only endpoint answers a GET with 200001.",
            "",
            "**Who may call** is checked before the body is read:",
            "",
            "- *anyone*: no sign-in needed;",
            "- *session*: the signed-in browser's session cookie only; a bearer token is refused with 201206;",
            "- *session or bearer `scope`*: the session cookie, or `Authorization: Bearer` with a token granted `scope`",
            "  (without it, 201206);",
            "- *OAuth client*: a registered client, by HTTP Basic or `client_id` and `client_secret` (RFC 6749 2.3);",
            "  without them 201210, 201211, 201208 or 201213, as OAuth error replies;",
            "- *token holder*: whoever holds the access token the request ends (`Authorization: Bearer`, or",
            "  `access_token` in the body); without it 201202.",
            "",
            "Without the sign-in a session policy needs the reply is 202101.",
            "",
            "## At a glance",
            "",
            "| endpoint | methods | who may call | body | rate bucket |",
            "| --- | --- | --- | --- | --- |",
        ]
        for endpoint in EndpointTable.all {
            lines.append("| [`\(endpoint.name)`](#\(anchor(endpoint))) | \(methods(endpoint)) | \(access(endpoint.access)) | \(body(endpoint.body)) | \(endpoint.rate.rawValue) |")
        }
        lines += [
            "",
            "## Rate buckets",
            "",
            "Token buckets with the defaults below (`UPARE_RATE_LIMITS=off` turns them off for load tests;",
            "`UPARE_INSTANCES=N` gives each of N instances 1/N of the captcha, verify and login buckets).",
            "Over a limit the reply is 201204 with HTTP 429 and `Retry-After`.",
            "",
            "| bucket | counted by | default | endpoints |",
            "| --- | --- | --- | --- |",
        ]
        for bucket in RateBucket.allCases {
            let names = EndpointTable.all.filter { $0.rate == bucket }.map { "`\($0.name)`" }
            let members = bucket == .api ? "every other route" : names.joined(separator: ", ")
            lines.append("| \(bucket.rawValue) | \(bucket.keys.map(\.rawValue).joined(separator: ", ")) | \(rate(limits.limit(for: bucket))) | \(members) |")
        }
        lines += [
            "",
            "Besides these: every call with a bearer token counts against its OAuth client (\(rate(limits.perClient))),",
            "as do the token requests of an authenticated client; `Image/disorder` passphrase keys \(rate(limits.passphrase))",
            "per address (each is a scrypt); failed logins per account and per address in the database (`LoginThrottle`).",
        ]
        var section = ""
        for endpoint in EndpointTable.all {
            if endpoint.tag != section {
                section = endpoint.tag
                lines += ["", "## \(section)"]
            }
            lines += entry(endpoint)
        }
        lines += ["", "## Other routes", "", "GET only, anyone, in the `api` bucket; not in the envelope.", "",
                  "| path | what |", "| --- | --- |"]
        for plain in EndpointTable.plain { lines.append("| `\(plain.path)` | \(plain.summary) |") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func entry(_ endpoint: Endpoint) -> [String] {
        var lines = [
            "", "### \(endpoint.name)", "", endpoint.summary + ".", "",
            "- methods: \(methods(endpoint))",
            "- who may call: \(access(endpoint.access))",
            "- body: \(body(endpoint.body))",
            "- rate bucket: \(endpoint.rate.rawValue), by \(endpoint.rate.keys.map(\.rawValue).joined(separator: " and "))",
        ]
        switch endpoint.reply {
        case .envelope(let keys): lines.append("- reply: the envelope" + (keys.isEmpty ? "" : " with " + keys.map { "`\($0)`" }.joined(separator: ", ")))
        case .picture: lines.append("- reply: the picture")
        case .audio: lines.append("- reply: a WAV recording (audio/wav)")
        case .pictureOrEnvelope(let keys):
            lines.append("- reply: the picture; asked for JSON (`response_type=json` or `Accept: application/json`), the envelope with "
                + keys.map { "`\($0)`" }.joined(separator: ", "))
        case .redirectOrPage: lines.append("- reply: a 302 redirect, or an HTML page")
        }
        if !endpoint.parameters.isEmpty {
            lines += ["", "| parameter | type | required | meaning |", "| --- | --- | --- | --- |"]
            for parameter in endpoint.parameters {
                let type = parameter.isFile ? "file" : parameter.type
                lines.append("| `\(parameter.name)` | \(type) | \(parameter.required ? "yes" : "no") | \(cell(parameter.description)) |")
            }
        }
        if !endpoint.errors.isEmpty {
            let messages = Dictionary(ErrorCatalogue.all.map { ($0.code, $0.message) }, uniquingKeysWith: { first, _ in first })
            lines += ["", "Errors: " + endpoint.errors.map { code in
                messages[code].map { "\(code) (\(cell($0)))" } ?? String(code)
            }.joined(separator: ", ") + "."]
        }
        return lines
    }

    static func anchor(_ endpoint: Endpoint) -> String {
        endpoint.name.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    static func methods(_ endpoint: Endpoint) -> String {
        endpoint.methods.map { $0.uppercased() }.joined(separator: ", ")
    }

    static func access(_ policy: AccessPolicy) -> String {
        switch policy {
        case .anonymous: "anyone"
        case .oauthClient: "OAuth client"
        case .tokenHolder: "token holder"
        case .session: "session"
        case .sessionOrBearer(let scope): "session or bearer `\(scope)`"
        }
    }

    static func body(_ body: Endpoint.Body) -> String {
        switch body {
        case .form: "fields, at most \(Parameters.formLimit / 1024) KiB"
        case .upload: "multipart upload, at most `UPARE_MAX_BODY`"
        }
    }

    /// "5/s, bursts of 30" or "1 per 2 s, bursts of 10".
    static func rate(_ limit: RateLimiter.Limit) -> String {
        let pace = limit.perSecond >= 1
            ? "\(number(limit.perSecond))/s" : "1 per \(number(1 / limit.perSecond)) s"
        return "\(pace), bursts of \(number(limit.burst))"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Text safe inside a table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}

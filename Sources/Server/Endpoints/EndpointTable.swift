import Hummingbird

/// Every route of the server, in one table. Read an entry to answer "who may
/// call it, with what, how often": its methods (POST-only ones answer a GET
/// with 200001), its access policy (checked before the body is read), its body
/// limit, its rate bucket (`RateBucket.keys` says what the bucket counts by,
/// `RateLimits` how fast), its parameters, reply and error codes, and the
/// handler that serves it. The router (`Router+Endpoint.swift`), the `/api` and
/// `/apis` prefixes, the rate limiter, `/openapi.json` and `docs/api.md`
/// (`upare endpoints --markdown`) are all made from it.
public enum EndpointTable {
    typealias P = Endpoint.Parameter

    static let captchaToken = P(name: "captcha_token", description: "the challenge of Image/captcha in JSON mode, instead of the session cookie")

    static let altcha = P(name: "altcha", description: "an ALTCHA solution payload (base64 JSON) of Image/pow, where the scenario needs one")

    static let responseType = P(name: "response_type", description: "json (default): the envelope; code: the bare error_code as text/plain")

    /// The API's endpoints, in the spec's order.
    public static let all: [Endpoint] = image + user + settings + sns + friends + calendar + oauth

    static let byName: [String: Endpoint] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The entry of "Section/action", if there is one.
    public static func endpoint(named name: String) -> Endpoint? { byName[name] }

    /// The routes outside the envelope: GET only, anonymous, in the general rate bucket.
    public static let plain: [PlainRoute] = [
        PlainRoute(path: "/health", tag: "Operations", summary: "Liveness: the process answers", contentType: "application/json",
                   handler: { routes, _, _ in routes.operations.health() }),
        PlainRoute(path: "/ready", tag: "Operations", summary: "Readiness: the database answers too (503 when not)",
                   contentType: "application/json", handler: { routes, _, _ in await routes.operations.ready() }),
        PlainRoute(path: "/metrics", tag: "Operations", summary: "Prometheus metrics (text exposition format); keep it to the operators' network",
                   contentType: "text/plain", handler: { routes, _, _ in routes.operations.metrics() }),
        PlainRoute(path: "/openapi.json", tag: "Operations", summary: "The OpenAPI 3.1 document of this table",
                   contentType: "application/json", handler: { _, _, _ in OpenAPIDocument.response() }),
        PlainRoute(path: "/avatars/:uid/:file", tag: "User settings",
                   summary: "An avatar picture of `User/setAvatar`: file 256.png, 128.png or 48.png (ETag, 304 on If-None-Match)",
                   contentType: "image/png", handler: { try await $0.settings.avatar($1, $2) }),
        PlainRoute(path: "/", tag: "Web", summary: "The demo site: register and log in with the captcha widget (off with demoSite=false)",
                   contentType: "text/html", handler: { routes, request, _ in try routes.web.page("/", request) }),
        PlainRoute(path: "/presets", tag: "Web", summary: "The demo site: the difficulty presets side by side, and a scenario to try",
                   contentType: "text/html", handler: { routes, request, _ in try routes.web.page("/presets", request) }),
        PlainRoute(path: "/disorder", tag: "Web", summary: "The demo site: scramble through Image/disorder, unscramble in the browser",
                   contentType: "text/html", handler: { routes, request, _ in try routes.web.page("/disorder", request) }),
        PlainRoute(path: "/static/:file", tag: "Web",
                   summary: "The widget (upare-captcha.js), its proof-of-work worker, the unscrambler (upare-disorder.js) and the demo's files (ETag, 304 on If-None-Match)",
                   contentType: "text/javascript", handler: { routes, request, context in
                       try routes.web.file(context.parameters.get("file") ?? "", request)
                   }),
    ]

    static let image: [Endpoint] = [
        Endpoint(
            path: "/api/Image/captcha", methods: ["get", "post"], tag: "Image",
            summary: "A new captcha for this browser session and scenario (sets the upare_session cookie), or, in JSON mode, for a captcha_token",
            parameters: [
                P(name: "type", description: "png (default), jpg or bmp"), P(name: "id", description: "scenario id"),
                P(name: "response_type", description: "json: the envelope with captcha_token, image (a data URI) and expires_in, and no cookie"),
            ],
            reply: .pictureOrEnvelope(["captcha_token", "image", "expires_in", "pow_required"]), errors: [100004, 201204], rate: .captcha,
            handler: { try await $0.image.captcha($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/Image/captchaSample", methods: ["get"], tag: "Image",
            summary: "A sample picture of the default captcha at a difficulty preset, in this deployment's style; it answers nothing (an addition, for the demo)",
            parameters: [P(name: "difficulty", description: "easy, normal (default) or hard")],
            reply: .picture, errors: [100004, 201204], rate: .captcha,
            handler: { try $0.image.sample($1.parameters) }),
        Endpoint(
            path: "/api/Image/captchaVerify", methods: ["get", "post"], tag: "Image", summary: "Checks an answer",
            parameters: [
                P(name: "captcha", description: "the answer"), P(name: "id", description: "scenario id"),
                captchaToken, altcha,
                P(name: "flush", description: "yes (default): the challenge is used up whatever the answer; no: kept after a wrong answer (up to the attempt cap) and after a right one for one later use (a pre-check before the form's submit)"),
            ],
            errors: [200002, 100004, 201204], rate: .verify,
            handler: { try await $0.image.verify($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/Image/disorder", methods: ["post"], tag: "Image", summary: "Scrambles or restores a PNG, JPEG or BMP picture",
            parameters: [
                P(name: "image", required: true, description: "the picture", isFile: true),
                P(name: "key", description: "64 hex digits, base64 of 32 bytes, or a passphrase"),
                P(name: "key_id", type: "integer", description: "a key of the logged-in caller (Image/disorderKey)"),
                P(name: "action", description: "encrypt (default) or decrypt"),
            ],
            reply: .picture, errors: [100004, 404, 202101, 201204], access: .anonymous, body: .upload, rate: .disorder,
            handler: { try await $0.image.disorder($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/Image/disorderKey", methods: ["post"], tag: "Image", summary: "Makes a picture key kept for the caller",
            reply: .envelope(["key_id", "key"]), errors: [202101], access: .session,
            handler: { try await $0.image.newKey($1.request, $1.requiredUser) }),
        Endpoint(
            path: "/api/Image/captchaAudio", methods: ["get", "post"], tag: "Image",
            summary: "The current captcha of this session and scenario, or of captcha_token, spoken as WAV: the same challenge as the picture (an addition)",
            parameters: [
                P(name: "id", description: "scenario id"), captchaToken,
                P(name: "lang", description: "en (default) or zh; math questions are read as questions"),
            ],
            reply: .audio, errors: [100004, 404, 201204], rate: .captcha,
            handler: { try await $0.image.audio($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/Image/pow", methods: ["get", "post"], tag: "Image",
            summary: "A proof-of-work challenge in the ALTCHA protocol (v1, SHA-256), its keys at the top level for the widget's challengeurl (an addition); harder for an address after repeated wrong answers",
            parameters: [P(name: "id", description: "the scenario the proof is for")],
            reply: .envelope(["algorithm", "challenge", "maxnumber", "salt", "signature"]), errors: [201204], rate: .captcha,
            handler: { try await $0.image.pow($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/Image/powVerify", methods: ["get", "post"], tag: "Image",
            summary: "Checks a proof-of-work solution alone and uses it up (an addition)",
            parameters: [altcha], errors: [200002, 201204], rate: .verify,
            handler: { try await $0.image.powVerify($1.request, $1.parameters) }),
    ]

    static let user: [Endpoint] = [
        Endpoint(
            path: "/api/User/register", methods: ["post"], tag: "User", summary: "Creates an account and mails a confirmation code",
            parameters: [
                P(name: "username", required: true, description: "2 to 32 letters, digits, _ . -"),
                P(name: "password", required: true, description: "8 to 72 bytes"),
                P(name: "email", required: true, description: "e-mail address"),
            ],
            reply: .envelope(["uid", "username", "email", "email_confirmed", "code_sent"]),
            errors: [202002, 202003, 100004, 202201, 201204], rate: .register,
            handler: { try await $0.user.registerAccount($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/login", methods: ["post"], tag: "User", summary: "Logs in behind a captcha; sets a new session cookie",
            parameters: [
                P(name: "username", required: true, description: "username or e-mail address"),
                P(name: "password", required: true, description: "password"),
                P(name: "captcha", required: true, description: "answer to /api/Image/captcha"),
                P(name: "id", description: "the captcha's scenario id"), captchaToken, altcha,
                P(name: "remember", type: "boolean", description: "a 30-day session"),
            ],
            reply: .envelope(["uid", "username", "email", "email_confirmed", "session_expires_in"]),
            errors: [202102, 200002, 202103, 201204], rate: .login,
            handler: { try await $0.user.login($1.request, $1.context, $1.parameters) }),
        Endpoint(path: "/api/User/logout", methods: ["post"], tag: "User", summary: "Ends the session",
            handler: { try await $0.user.logout($1.request) }),
        Endpoint(
            path: "/api/User/validateUniqueUsername", methods: ["post"], tag: "User", summary: "Whether a username is free",
            parameters: [P(name: "username", required: true, description: "username"), responseType], errors: [202002, 100004],
            handler: { try await $0.user.validateUniqueUsername($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/validateUniqueEmail", methods: ["post"], tag: "User", summary: "Whether an e-mail address is free",
            parameters: [P(name: "email", required: true, description: "e-mail address"), responseType], errors: [202003, 100004],
            handler: { try await $0.user.validateUniqueEmail($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/sendcode", methods: ["post"], tag: "User", summary: "Sends a 6-digit verification code",
            parameters: [
                P(name: "medium", description: "e-mail address or phone number; default the caller's e-mail"),
                P(name: "captcha", description: "answer to /api/Image/captcha; required unless signed in"),
                P(name: "id", description: "the captcha's scenario id"), captchaToken, altcha,
            ],
            reply: .envelope(["expires_in"]), errors: [202007, 202101, 200002, 100004, 100005, 201204], rate: .sendcode,
            handler: { try await $0.user.sendCode($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/User/validateCommunicationCode", methods: ["post"], tag: "User", summary: "Checks a verification code",
            parameters: [
                P(name: "code", type: "integer", required: true, description: "the code"),
                P(name: "medium", description: "e-mail address or phone number; default the caller's e-mail"),
            ],
            errors: [202006, 202101, 100004],
            handler: { try await $0.user.validateCode($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/message", methods: ["post"], tag: "User", summary: "The inbox, or one message (marked read)",
            parameters: [
                P(name: "id", type: "integer", description: "a message id"),
                P(name: "limit", type: "integer", description: "1...1000, default 100"),
                P(name: "offset", type: "integer", description: "default 0"),
            ],
            reply: .envelope(["messages", "total", "unread", "item"]), errors: [202101, 404, 100004], access: .sessionOrBearer(scope: "messages"),
            handler: { try await $0.user.message($1.request, $1.requiredUser, $1.parameters) }),
    ]

    static let settings: [Endpoint] = [
        Endpoint(
            path: "/api/User/setAvatar", methods: ["post"], tag: "User settings", summary: "Uploads an avatar",
            parameters: [P(name: "avatar", required: true, description: "PNG, JPEG or BMP", isFile: true), responseType],
            reply: .envelope(["avatar"]), errors: [202301, 202101], access: .session, body: .upload,
            handler: { routes, call in
                try await ResponseType.reply(call.request, call.parameters) { try await routes.settings.setAvatar(call.requiredUser, call.parameters) }
            }),
        Endpoint(
            path: "/api/User/modifyBasicInfo", methods: ["post"], tag: "User settings", summary: "Changes password, nickname, e-mail, phone",
            parameters: [
                P(name: "captcha", required: true, description: "answer to /api/Image/captcha"),
                P(name: "id", description: "the captcha's scenario id"), captchaToken, altcha,
                P(name: "password", description: "the current password: required to change the password or the e-mail address"),
                P(name: "newpassword", description: "new password"), P(name: "confirm", description: "the new password again"),
                P(name: "nickname", description: "1 to 32 characters"), P(name: "email", description: "e-mail address"),
                P(name: "phone", description: "phone number"),
            ],
            reply: .envelope(["uid", "username", "email", "email_confirmed", "nickname", "phone", "code_sent"]),
            errors: [200002, 202304, 202005, 202003, 202004, 202303, 100004, 202101], access: .session,
            handler: { try await $0.settings.modifyBasicInfo($1.request, $1.context, $1.requiredUser, $1.parameters) }),
        Endpoint(
            path: "/api/User/modifyDetailInfo", methods: ["post"], tag: "User settings", summary: "Changes detail information",
            parameters: ["realname", "idcard", "address", "gender", "nation", "postalcode", "departmentcode", "majorcode", "leader"]
                .map { P(name: $0, description: $0) },
            reply: .envelope(["details"]), errors: [100004, 202303, 202101, 201206], access: .session,
            handler: { try await $0.settings.modifyDetailInfo($1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(
            path: "/api/User/detailInfo", methods: ["post"], tag: "User settings",
            summary: "Reads the detail information (an addition: the ID number masked)",
            reply: .envelope(["details"]), errors: [202101, 201206], access: .sessionOrBearer(scope: "profile"),
            handler: { try await $0.settings.detailInfo($1.request, $1.requiredUser) }),
        Endpoint(
            path: "/api/User/sessions", methods: ["post"], tag: "User settings",
            summary: "Lists the caller's sessions and OAuth grants (an addition); end=<id> ends one, end=others every other",
            parameters: [P(name: "end", description: "a session id, grant:<family>, or others")],
            reply: .envelope(["sessions", "grants", "ended"]), errors: [202101, 201206, 404, 100004], access: .session,
            handler: { try await $0.user.sessions($1.request, $1.requiredUser, $1.parameters) }),
    ]

    static let sns: [Endpoint] = [
        Endpoint(
            path: "/api/User/snsLogin", methods: ["get"], tag: "Social accounts",
            summary: "Starts a social sign-in: 302 to the provider (state and PKCE kept for this session)",
            parameters: [P(name: "channel", required: true, description: "a configured provider, e.g. weibo")],
            reply: .redirectOrPage, errors: [404],
            handler: { try await $0.sns.login($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/snsCallback", methods: ["get"], tag: "Social accounts",
            summary: "The provider's redirect: logs a bound account in, binds to the logged-in user, or leaves it waiting for snsreg",
            parameters: [
                P(name: "channel", required: true, description: "the provider"), P(name: "code", description: "from the provider"),
                P(name: "state", description: "from snsLogin"), P(name: "error", description: "the provider's refusal"),
            ],
            reply: .envelope(["channel", "logged_in", "bound", "sns_pending", "display_name", "uid", "username"]),
            errors: [100004, 100002, 201206, 404],
            handler: { try await $0.sns.callback($1.request, $1.parameters) }),
        Endpoint(
            path: "/api/User/snsreg", methods: ["post"], tag: "Social accounts",
            summary: "Binds the waiting social account to a new account (type=reg) or an existing one (type=log), and logs in",
            parameters: [
                P(name: "type", required: true, description: "reg or log"), P(name: "username", required: true, description: "username"),
                P(name: "password", required: true, description: "password"), P(name: "confirm", description: "the password again (reg)"),
                P(name: "email", description: "e-mail address (reg)"),
                P(name: "captcha", description: "answer to /api/Image/captcha (log)"),
                P(name: "id", description: "the captcha's scenario id"), captchaToken, altcha,
            ],
            reply: .envelope(["uid", "username", "email", "channel"]),
            errors: [100004, 200002, 202002, 202003, 202102, 202103, 202201, 201204], rate: .login,
            handler: { try await $0.sns.snsreg($1.request, $1.context, $1.parameters) }),
        Endpoint(
            path: "/api/User/unbind", methods: ["post"], tag: "Social accounts", summary: "Unbinds the caller's social account",
            parameters: [P(name: "channel", required: true, description: "e.g. weibo, qq")],
            reply: .envelope(["channels"]), errors: [202302, 202101], access: .session,
            handler: { try await $0.sns.unbind($1.request, $1.requiredUser, $1.parameters) }),
    ]

    static let friends: [Endpoint] = [
        Endpoint(path: "/api/User/friends", methods: ["post"], tag: "Intercourse", summary: "The caller's friends",
                 reply: .envelope(["friends", "total"]), errors: [204101, 202101], access: .sessionOrBearer(scope: "friends"),
            handler: { try await $0.friends.handle(.friends, $1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(path: "/api/User/friendmake", methods: ["post"], tag: "Intercourse", summary: "Becomes friends with fid (who is told)",
                 parameters: [P(name: "fid", type: "integer", required: true, description: "the friend's uid")],
                 reply: .envelope(["friend"]), errors: [204102, 204104, 202001, 100004, 202101], access: .sessionOrBearer(scope: "friends"),
            handler: { try await $0.friends.handle(.friendmake, $1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(path: "/api/User/frienddel", methods: ["post"], tag: "Intercourse", summary: "Ends a friendship",
                 parameters: [P(name: "fid", type: "integer", required: true, description: "the friend's uid")],
                 errors: [204103, 202001, 100004, 202101], access: .sessionOrBearer(scope: "friends"),
            handler: { try await $0.friends.handle(.frienddel, $1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(path: "/api/User/friendsrecommend", methods: ["post"], tag: "Intercourse", summary: "Friends of friends by mutual friends",
                 parameters: [P(name: "limit", type: "integer", description: "1...100, default 20")],
                 reply: .envelope(["friends"]), errors: [204101, 202101], access: .sessionOrBearer(scope: "friends"),
            handler: { try await $0.friends.handle(.friendsrecommend, $1.request, $1.requiredUser, $1.parameters) }),
    ]

    static let eventFields = [
        P(name: "title", description: "1 to 200 characters"),
        P(name: "start", description: "ISO 8601 time, a date, or Unix seconds"),
        P(name: "end", description: "as start; default 1 hour (1 day when all_day) later"),
        P(name: "all_day", type: "boolean", description: "an all-day event"),
        P(name: "location", description: "at most 200 characters"), P(name: "description", description: "at most 4000 characters"),
        P(name: "reminder", type: "integer", description: "minutes before the start, or none"),
    ]

    static let calendar: [Endpoint] = [
        Endpoint(path: "/api/Calendar/events", methods: ["post"], tag: "Calendar", summary: "Events overlapping a range",
                 parameters: [
                     P(name: "start", description: "default now"), P(name: "end", description: "default start + 30 days"),
                     P(name: "limit", type: "integer", description: "1...1000, default 100"),
                     P(name: "offset", type: "integer", description: "default 0"),
                 ],
                 reply: .envelope(["events", "total"]), errors: [203101, 100004, 202101], access: .sessionOrBearer(scope: "calendar"),
            handler: { try await $0.calendar.handle(.events, $1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(path: "/api/Calendar/add", methods: ["post"], tag: "Calendar", summary: "Adds an event",
                 parameters: eventFields, reply: .envelope(["event"]), errors: [203201, 100004, 202101], access: .sessionOrBearer(scope: "calendar"),
            handler: { try await $0.calendar.handle(.add, $1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(path: "/api/Calendar/update", methods: ["post"], tag: "Calendar", summary: "Changes an event",
                 parameters: [P(name: "id", type: "integer", required: true, description: "the event")] + eventFields,
                 reply: .envelope(["event"]), errors: [203301, 404, 100004, 202101], access: .sessionOrBearer(scope: "calendar"),
            handler: { try await $0.calendar.handle(.update, $1.request, $1.requiredUser, $1.parameters) }),
    ]

    static let clientAuthentication = [
        P(name: "client_id", description: "or HTTP Basic"), P(name: "client_secret", description: "or HTTP Basic; none for public clients"),
    ]

    static let oauth: [Endpoint] = [
        Endpoint(
            path: "/api/Oauth/authorize", methods: ["get", "post"], tag: "OAuth",
            summary: "Authorization request (RFC 6749 4.1); POST answers the consent page",
            parameters: [
                P(name: "response_type", required: true, description: "code (redirect) or json"),
                P(name: "client_id", required: true, description: "the client"),
                P(name: "redirect_uri", required: true, description: "exactly as registered"),
                P(name: "scope", description: "basic, messages, calendar, friends, profile; spaces or commas"),
                P(name: "state", description: "returned unchanged"),
                P(name: "code_challenge", description: "PKCE S256 challenge (required for every client, RFC 9700)"),
                P(name: "code_challenge_method", description: "S256"),
                P(name: "consent", description: "allow or deny (the consent form)"),
                P(name: "consent_token", description: "from the consent page or the 201206 reply"),
            ],
            reply: .redirectOrPage, errors: [201101, 201102, 201103, 201104, 201206, 202101, 100004], access: .session,
            handler: { try await $0.oauth.authorize($1.request, $1.requiredUser, $1.parameters) }),
        Endpoint(
            path: "/api/Oauth/accessToken", methods: ["post"], tag: "OAuth", summary: "Token request (RFC 6749 4.1.3, 4.3, 6)",
            parameters: clientAuthentication + [
                P(name: "grant_type", required: true, description: "authorization_code, refresh_token or password"),
                P(name: "redirect_uri", description: "as in the authorization request"), P(name: "code", description: "the code"),
                P(name: "code_verifier", description: "PKCE verifier"), P(name: "refresh_token", description: "the refresh token"),
                P(name: "username", description: "password grant"), P(name: "password", description: "password grant"),
                P(name: "scope", description: "narrower scope on refresh"),
            ],
            reply: .envelope(["access_token", "refresh_token", "token_type", "expires_in", "remind_in", "uid", "scope"]),
            errors: [201105, 201202, 201204, 201205, 201206, 201208, 201209, 201210, 201211, 201212, 201213, 201215, 201216, 202103], access: .oauthClient, rate: .token,
            handler: { routes, call in try await routes.oauth.tokenEndpoint(call) { try await routes.oauth.accessToken($0.request, $0.context, $0.parameters) } }),
        Endpoint(
            path: "/api/Oauth/delete", methods: ["post"], tag: "OAuth", summary: "Ends the caller's grant",
            parameters: [P(name: "access_token", description: "or Authorization: Bearer")], errors: [201201, 201202, 201301], access: .tokenHolder, rate: .token,
            handler: { routes, call in try await routes.oauth.tokenEndpoint(call) { try await routes.oauth.deleteToken($0.request, $0.parameters) } }),
        Endpoint(
            path: "/api/Oauth/revoke", methods: ["post"], tag: "OAuth", summary: "Token revocation (RFC 7009)",
            parameters: clientAuthentication + [
                P(name: "token", required: true, description: "access or refresh token"),
                P(name: "token_type_hint", description: "access_token or refresh_token"),
            ],
            errors: [201401, 201208, 201210, 201211, 201213], access: .oauthClient, rate: .token,
            handler: { routes, call in try await routes.oauth.tokenEndpoint(call) { try await routes.oauth.revoke($0.request, $0.parameters) } }),
    ]
}

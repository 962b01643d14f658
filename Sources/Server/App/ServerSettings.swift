import Captcha
import Foundation
import Logging
import NIOCore
import Raster

/// One setting of `upare serve`: its key in the configuration file, its
/// environment variable (which wins over the file), what it means, and how it
/// is applied. `ServerConfiguration.settings` lists them all, and
/// `docs/configuration.md` is checked against the list.
public struct ServerSetting: Sendable {
    /// The key in the JSON file: "port", "captcha.length".
    public let key: String
    /// The environment variable, `UPARE_...`.
    public let environment: String
    public let summary: String
    let apply: @Sendable (SettingValue, inout ServerConfiguration) throws -> Void
}

/// A captcha option under its ThinkPHP name: a setting of the default
/// captcha (`captcha.<name>`), and of every scenario section
/// (`captcha.<scenario>.<name>`, file only).
struct CaptchaSetting: Sendable {
    let name: String
    let summary: String
    let apply: @Sendable (SettingValue, inout CaptchaOptions) throws -> Void

    /// `useCurve` -> `USE_CURVE`.
    var environmentSuffix: String {
        var result = ""
        for character in name {
            if character.isUppercase, !result.isEmpty { result += "_" }
            result += character.uppercased()
        }
        return result
    }
}

extension ServerConfiguration {
    /// Every setting, server first, then the default captcha's.
    public static let settings: [ServerSetting] = serverSettings + captchaSettings.map { option in
        ServerSetting(
            key: "captcha.\(option.name)", environment: "UPARE_CAPTCHA_\(option.environmentSuffix)", summary: option.summary,
            apply: { value, configuration in try option.apply(value, &configuration.captcha) })
    }

    static func setting(
        _ key: String, _ environment: String, _ summary: String,
        _ apply: @escaping @Sendable (SettingValue, inout ServerConfiguration) throws -> Void
    ) -> ServerSetting {
        ServerSetting(key: key, environment: environment, summary: summary, apply: apply)
    }

    static let serverSettings: [ServerSetting] = [
        setting("host", "UPARE_HOST", "address to listen on (127.0.0.1)") { $1.host = try $0.string() },
        setting("port", "UPARE_PORT", "port to listen on, 1...65535 (8080)") { $1.port = try $0.int(in: 1...65535) },
        setting("database", "UPARE_DATABASE",
                "a SQLite file, or postgres://user:password@host:port/database for several instances (upare.sqlite)") {
            $1.databasePath = try $0.string()
        },
        setting("secret", "UPARE_SECRET",
                "master secret, 32+ characters: keys captcha answers and codes, seals the outbox, picture keys and ID numbers "
                + "(none: a random one kept in the database, with a warning at start)") { value, configuration in
            let secret = try value.string()
            guard secret.count >= 32 else { throw ConfigurationError("\(value.source) must be at least 32 characters") }
            configuration.secret = secret
        },
        setting("secretFile", "UPARE_SECRET_FILE",
                "a file holding the secret (one trailing newline dropped); systemd's credential upare-secret is read without it") {
            $1.secretFile = try $0.string()
        },
        setting("secureCookies", "UPARE_SECURE_COOKIES", "session cookies carry Secure and the __Host- prefix: set it behind TLS (false)") {
            $1.secureCookies = try $0.bool()
        },
        setting("trustedProxies", "UPARE_TRUSTED_PROXIES", "peers whose X-Forwarded-For is believed, comma-separated (none)") {
            $1.trustedProxies = Set(try $0.list())
        },
        setting("corsOrigins", "UPARE_CORS_ORIGINS",
                "origins (https://app.example) of other sites' pages that may call the API: preflights answered, replies readable, "
                + "credentials allowed, cookie POSTs not refused as cross-site (none)") {
            $1.allowedOrigins = Set(try $0.list().map { $0.lowercased() })
        },
        setting("issuer", "UPARE_ISSUER", "the public URL, sent as iss on OAuth authorization responses (http://host:port)") {
            $1.publicURL = try $0.string()
        },
        setting("logLevel", "UPARE_LOG_LEVEL", "trace, debug (a line per request), info, notice, warning, error, critical (info)") {
            $1.logLevel = Logger.Level(rawValue: try $0.choice(Logger.Level.allCases.map(\.rawValue))) ?? .info
        },
        setting("eventLoops", "UPARE_EVENT_LOOPS", "HTTP event-loop threads, 1...256 (one per core; 1 suits several instances on a host)") {
            $1.eventLoops = try $0.int(in: 1...256)
        },
        setting("maxBody", "UPARE_MAX_BODY", "largest upload in bytes (16 MiB); field bodies are at most 64 KiB") {
            $1.maxBodySize = try $0.int(in: 1024...(1 << 31))
        },
        setting("heavyJobs", "UPARE_HEAVY_JOBS", "picture decodes, scrambles and scrypt runs at once, 1...1024 (one per core); more get 201204") {
            $1.heavyJobs = try $0.int(in: 1...1024)
        },
        setting("disorderMaxPixels", "UPARE_DISORDER_MAX_PIXELS", "largest picture Image/disorder takes, in pixels (24,000,000)") {
            $1.disorderLimits.maxPixels = try $0.int(in: 1...1_000_000_000)
        },
        setting("headerTimeout", "UPARE_HEADER_TIMEOUT", "seconds for a request's headers (10)") {
            $1.timeouts.header = .nanoseconds(Int64(try $0.double(in: 0.001...86_400) * 1e9))
        },
        setting("bodyTimeout", "UPARE_BODY_TIMEOUT", "seconds for a request's body (60)") {
            $1.timeouts.body = .nanoseconds(Int64(try $0.double(in: 0.001...86_400) * 1e9))
        },
        setting("idleTimeout", "UPARE_IDLE_TIMEOUT", "seconds an idle connection is kept (30)") {
            $1.timeouts.idle = .nanoseconds(Int64(try $0.double(in: 0.001...86_400) * 1e9))
        },
        setting("rateLimits", "UPARE_RATE_LIMITS", "per-client rate limits on or off (on; off for load tests only)") {
            $1.rateLimits.enabled = try $0.bool()
        },
        setting("instances", "UPARE_INSTANCES",
                "instances behind a round-robin balancer, 1...1024: each enforces 1/N of the captcha, verify and login limits (1)") {
            $1.rateLimits.instances = try $0.int(in: 1...1024)
        },
        setting("bcryptCost", "UPARE_BCRYPT_COST", "bcrypt cost for passwords, 4...31 (12)") {
            $1.bcryptCost = UInt8(try $0.int(in: 4...31))
        },
        setting("sendmail", "UPARE_SENDMAIL",
                "a sendmail-compatible command (/usr/sbin/sendmail -t -i) that gets each e-mail (none: the outbox)") { value, configuration in
            let words: [String]
            if case .json(.array) = value.raw { words = try value.list() } else { words = try value.string().split(separator: " ").map(String.init) }
            guard !words.isEmpty else { throw ConfigurationError("\(value.source) must name a command") }
            configuration.sendmailCommand = words
        },
        setting("mailFrom", "UPARE_MAIL_FROM", "the From address of e-mail (upare@localhost)") { $1.mailFrom = try $0.string() },
        setting("demoSite", "UPARE_DEMO_SITE",
                "serves the demo pages at /, /presets and /disorder; the widget and the unscrambler under /static/ are served either way (true)") {
            $1.demoSite = try $0.bool()
        },
        setting("captchaTestMode", "UPARE_CAPTCHA_TEST_MODE",
                "for integrators' end-to-end tests: the answer upare-test-pass always passes, upare-test-fail always fails; "
                + "refused unless bound to loopback (false)") { $1.captchaTestMode = try $0.bool() },
        setting("captchaTestModeAnywhere", "UPARE_CAPTCHA_TEST_MODE_ANYWHERE",
                "allows the test mode on a non-loopback address, for a closed test network (false)") {
            $1.captchaTestModeAnywhere = try $0.bool()
        },
        setting("powScenarios", "UPARE_POW_SCENARIOS",
                "scenarios (the spec's id) whose captcha also needs a proof of work from Image/pow, comma-separated; * for all (none)") {
            $1.powScenarios = Set(try $0.list())
        },
        setting("powMaxNumber", "UPARE_POW_MAX_NUMBER", "the work of a proof: the largest secret number, 1000...10000000 (100000; about half as many SHA-256 hashes on average)") {
            $1.powMaxNumber = try $0.int(in: 1000...10_000_000)
        },
        setting("powExpire", "UPARE_POW_EXPIRE", "seconds a proof-of-work challenge may be solved in, 10...3600 (300)") {
            $1.powExpire = try $0.int(in: 10...3600)
        },
        setting("powAfterFailures", "UPARE_POW_AFTER_FAILURES",
                "adaptive proof of work: after this many recent wrong captcha answers from an address (fading by half every "
                + "10 minutes, per instance), its every captcha check needs a proof of work, the work doubling with each further "
                + "as many up to 16 times; 0...1000, 0 is off (0)") {
            $1.powAfterFailures = try $0.int(in: 0...1000)
        },
        setting("snsProviders", "UPARE_SNS_PROVIDERS", "a JSON file of social sign-in providers (none)") { value, configuration in
            let path = try value.string()
            do {
                configuration.snsProviders = try SNSProvider.load(path: path)
            } catch {
                throw ConfigurationError("\(value.source): \(error)")
            }
        },
    ]

    static let captchaSettings: [CaptchaSetting] = [
        CaptchaSetting(name: "codeSet", summary: "characters a code is drawn from (2346789ACEFHJKMNPRTWXY)") { $1.codeSet = try $0.string() },
        CaptchaSetting(name: "length", summary: "characters per code, \(CaptchaOptions.lengthRange) (4)") {
            $1.length = try $0.int(in: CaptchaOptions.lengthRange)
        },
        CaptchaSetting(name: "fontSize", summary: "glyph size in pixels, \(CaptchaOptions.fontSizeRange) (32)") {
            $1.fontSize = try $0.int(in: CaptchaOptions.fontSizeRange)
        },
        CaptchaSetting(name: "imageW", summary: "picture width, \(CaptchaOptions.widthRange), or 0 to derive it (0: 160 at the defaults)") {
            $1.imageW = try $0.int(in: 0...CaptchaOptions.widthRange.upperBound)
        },
        CaptchaSetting(name: "imageH", summary: "picture height, \(CaptchaOptions.heightRange), or 0 to derive it (0: 60)") {
            $1.imageH = try $0.int(in: 0...CaptchaOptions.heightRange.upperBound)
        },
        CaptchaSetting(name: "useCurve", summary: "interference curves across the text (true)") { $1.useCurve = try $0.bool() },
        CaptchaSetting(name: "useNoise", summary: "clutter over the background (true)") { $1.useNoise = try $0.bool() },
        CaptchaSetting(name: "useZh", summary: "Chinese characters instead of codeSet (false)") { $1.useZh = try $0.bool() },
        CaptchaSetting(name: "zhSet", summary: "the characters for useZh (upare's common hanzi)") { $1.zhSet = try $0.string() },
        CaptchaSetting(name: "math", summary: "an arithmetic question instead of a code (false)") { $1.math = try $0.bool() },
        CaptchaSetting(name: "useImgBg", summary: "a folder of pictures to draw on instead of a plain background (none)") {
            $1.useImgBg = try $0.string()
        },
        CaptchaSetting(name: "bg", summary: "background colour, #rrggbb; the ink keeps 7:1 contrast with it (#f3fbfe)") { value, options in
            guard let colour = RGBA(hex: try value.string()) else { throw ConfigurationError("\(value.source) must be a colour #rrggbb") }
            options.bg = colour
        },
        CaptchaSetting(name: "fontttf", summary: "font files to draw with, a list (every shipped face)") { $1.fontttf = try $0.list() },
        CaptchaSetting(name: "expire", summary: "seconds a challenge stays valid, \(CaptchaOptions.expireRange) (1800)") {
            $1.expire = try $0.int(in: CaptchaOptions.expireRange)
        },
        CaptchaSetting(name: "reset", summary: "whether a verification without flush uses the challenge up (true)") { $1.reset = try $0.bool() },
        CaptchaSetting(name: "maxAttempts", summary: "wrong answers a challenge takes without flush, 1...100 (5)") {
            $1.maxAttempts = try $0.int(in: 1...100)
        },
        CaptchaSetting(name: "caseSensitive", summary: "answers compare case-sensitively (false)") { $1.caseSensitive = try $0.bool() },
        CaptchaSetting(name: "difficulty", summary: "the style preset: easy, normal or hard (normal)") { value, options in
            options.difficulty = CaptchaDifficulty(rawValue: try value.choice(CaptchaDifficulty.allCases.map(\.rawValue))) ?? .normal
        },
    ]

    /// The defaults, then the JSON file `file` (if any), then the environment:
    /// each setting's `UPARE_...` variable wins over its key in the file.
    /// Sections of the file's `captcha` object that are objects themselves are
    /// scenarios (think-captcha's `captcha.<name>`): the default captcha's
    /// options with theirs on top, for the spec's `id` of that name. Any value
    /// that does not fit, or an unknown key in the file, is a
    /// `ConfigurationError` naming it and what it must be.
    public static func load(file: String? = nil, environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        let values = try file.map(Self.read) ?? [:]
        let fileName = file.map { ($0 as NSString).lastPathComponent } ?? ""
        let known = Set(settings.map(\.key))
        for (key, _) in values where !known.contains(key) && !key.hasPrefix("captcha.") {
            throw ConfigurationError("\(fileName): unknown setting \(key) (the settings are in docs/configuration.md)")
        }
        for setting in settings {
            if let raw = environment[setting.environment], !raw.isEmpty {
                try setting.apply(SettingValue(raw: .text(raw), source: setting.environment), &configuration)
            } else if let value = values[setting.key], value != .null {
                try setting.apply(SettingValue(raw: .json(value), source: "\(fileName): \(setting.key)"), &configuration)
            }
        }
        if configuration.secretFile == nil, let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty,
           FileManager.default.fileExists(atPath: credentials + "/upare-secret") {
            // A systemd credential (LoadCredential=upare-secret:...).
            configuration.secretFile = credentials + "/upare-secret"
        }
        try configuration.validateCaptcha(name: "captcha", configuration.captcha)
        // Scenario sections, from the file only: captcha.<scenario>.<option>.
        let options = Dictionary(uniqueKeysWithValues: captchaSettings.map { ($0.name, $0) })
        var scenarios: [String: [(String, JSONValue)]] = [:]
        for (key, value) in values where key.hasPrefix("captcha.") {
            let parts = key.dropFirst("captcha.".count).split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                if !known.contains(key) { throw ConfigurationError("\(fileName): unknown captcha option \(key)") }
                continue
            }
            scenarios[parts[0], default: []].append((parts[1], value))
        }
        for (scenario, entries) in scenarios.sorted(by: { $0.key < $1.key }) {
            guard (try? CaptchaKey(client: "c", scenario: scenario)) != nil else {
                throw ConfigurationError("\(fileName): captcha.\(scenario) is not a scenario id (at most \(CaptchaKey.maximumLength) bytes of printable text)")
            }
            var scenarioOptions = configuration.captcha
            for (name, value) in entries {
                guard let option = options[name] else {
                    throw ConfigurationError("\(fileName): unknown captcha option captcha.\(scenario).\(name)")
                }
                try option.apply(SettingValue(raw: .json(value), source: "\(fileName): captcha.\(scenario).\(name)"), &scenarioOptions)
            }
            try configuration.validateCaptcha(name: "captcha.\(scenario)", scenarioOptions)
            configuration.captchaScenarios[scenario] = scenarioOptions
        }
        return configuration
    }

    /// The file's settings by dotted key ("captcha.login.length"); objects are
    /// walked, every other value is a leaf.
    static func read(_ path: String) throws -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read the configuration file \(path)")
        }
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ConfigurationError("\(path) is not valid JSON: \(error.localizedDescription)")
        }
        guard case .object = root else { throw ConfigurationError("\(path) must hold a JSON object of settings") }
        var flat: [String: JSONValue] = [:]
        func walk(_ value: JSONValue, _ prefix: String) {
            if case .object(let members) = value {
                for (name, member) in members { walk(member, prefix.isEmpty ? name : prefix + "." + name) }
            } else {
                flat[prefix] = value
            }
        }
        walk(root, "")
        return flat
    }

    /// Captcha options that the library would refuse, refused at start with their name.
    func validateCaptcha(name: String, _ options: CaptchaOptions) throws {
        do {
            _ = try options.validated()
        } catch {
            throw ConfigurationError("\(name): \(error)")
        }
    }
}

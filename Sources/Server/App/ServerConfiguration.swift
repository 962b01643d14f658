public import Captcha
public import Foundation
public import Logging
public import Raster
import NIOCore

/// How the server runs: where it listens and the limits it enforces.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Largest request body read, in bytes (uploads to `Image/disorder`).
    public var maxBodySize: Int = 16 << 20
    /// The SQLite database file, created and migrated on first start, or a
    /// `postgres://user:password@host:port/database` URL.
    public var databasePath: String = "upare.sqlite"
    /// Requests per second per client; `UPARE_RATE_LIMITS=off` turns them off (benchmarks).
    public var rateLimits = RateLimits()
    /// Peers whose X-Forwarded-For is believed (`UPARE_TRUSTED_PROXIES`, comma-separated).
    public var trustedProxies: Set<String> = []
    /// A sendmail-compatible command for e-mail (`UPARE_SENDMAIL`, e.g.
    /// `/usr/sbin/sendmail -t -i`); nil keeps every message in the outbox.
    public var sendmailCommand: [String]? = nil
    /// The From address of e-mail (`UPARE_MAIL_FROM`).
    public var mailFrom = "upare@localhost"
    /// The captcha options (ThinkPHP names) of `Image/captcha`.
    public var captcha = CaptchaOptions()
    /// Options of the scenarios (the spec's `id`) that have their own
    /// (think-captcha's `captcha.<name>` sections); other scenarios use `captcha`.
    public var captchaScenarios: [String: CaptchaOptions] = [:]
    /// For integrators' end-to-end tests only: the answer `CaptchaTestMode.pass`
    /// always passes and `CaptchaTestMode.fail` always fails. Refused at start
    /// off loopback unless `captchaTestModeAnywhere`; logged at every start.
    public var captchaTestMode = false
    /// Whether the demo pages are served at /, /presets and /disorder (the widget under /static/ always is).
    public var demoSite = true
    /// Allows the test mode on any address (a closed test network).
    public var captchaTestModeAnywhere = false
    /// Scenarios whose captcha also needs a proof of work (`Image/pow`, the
    /// ALTCHA protocol); "*" for every scenario.
    public var powScenarios: Set<String> = []
    /// The largest secret number of a proof of work (about half as many hashes on average).
    public var powMaxNumber = 100_000
    /// Seconds a proof-of-work challenge may be solved in.
    public var powExpire = 300
    /// The adaptive proof of work: after this many recent wrong captcha
    /// answers from an address (fading by half every 10 minutes), every
    /// captcha check from it needs a proof of work, its work doubling with
    /// each further as many, up to 16 times; 0 turns it off.
    public var powAfterFailures = 0
    /// bcrypt's cost for passwords (`UPARE_BCRYPT_COST`, 4...31).
    public var bcryptCost: UInt8 = 12
    /// The master secret (`UPARE_SECRET`, at least 32 characters); nil keeps a
    /// random one in the database, shared by every instance using it.
    public var secret: String? = nil
    /// A file holding the secret (`UPARE_SECRET_FILE`, or the systemd
    /// credential `upare-secret`), read at start when `secret` is not set.
    public var secretFile: String? = nil
    /// Failed logins allowed per account and per address in a window.
    public var loginLimits = LoginThrottle.Limits()
    /// `UPARE_LOG_LEVEL` (trace, debug, info, notice, warning, error, critical);
    /// `debug` adds a line per request.
    public var logLevel: Logger.Level = .info
    /// Session cookies with `Secure` (`UPARE_SECURE_COOKIES=1`): set it when
    /// the site is served over TLS.
    public var secureCookies = false
    /// HTTP event-loop threads (`UPARE_EVENT_LOOPS`); nil: one per core.
    public var eventLoops: Int? = nil
    /// The largest picture `Image/disorder` takes (checked before decoding).
    public var disorderLimits = DecodeLimits(maxWidth: 12_000, maxHeight: 12_000, maxPixels: 24_000_000)
    /// Picture jobs (decodes, scrambles, scrypt) at once (`UPARE_HEAVY_JOBS`;
    /// one per core); more are refused with 201204.
    public var heavyJobs = System.coreCount
    /// The server's public URL, its OAuth issuer identifier (`UPARE_ISSUER`);
    /// nil: http://host:port. Sent as `iss` on authorization responses.
    public var publicURL: String? = nil

    /// The issuer identifier of RFC 9207.
    public var issuer: String { publicURL ?? "http://\(host):\(port)" }
    /// Other origins (`scheme://host[:port]`) whose pages may send
    /// cookie-authenticated requests (`UPARE_CORS_ORIGINS`, comma-separated).
    public var allowedOrigins: Set<String> = []
    /// Header, body and idle timeouts of client connections.
    public var timeouts = ConnectionTimeouts()
    /// Social sign-in providers by channel (`UPARE_SNS_PROVIDERS`: a JSON file, see `SNSProvider`).
    public var snsProviders: [String: SNSProvider] = [:]

    public init() {}

    /// `secret`, or else the contents of `secretFile` (one trailing newline
    /// dropped); a file that cannot be read stops the server.
    public func resolvedSecret() throws -> String? {
        if let secret { return secret }
        guard let secretFile else { return nil }
        guard let data = FileManager.default.contents(atPath: secretFile), let text = String(data: data, encoding: .utf8) else {
            throw ServerStartupError(reason: "cannot read the secret file \(secretFile) (UPARE_SECRET_FILE)")
        }
        let secret = text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !secret.isEmpty else { throw ServerStartupError(reason: "the secret file \(secretFile) is empty") }
        return secret
    }

    /// The settings of the environment alone (`load(file:environment:)` without a file).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        try load(environment: environment)
    }

    /// Refuses what is safe only on a developer's machine: the captcha test
    /// mode anywhere but on a loopback address, unless explicitly allowed.
    public func validateForStart() throws {
        guard captchaTestMode, !captchaTestModeAnywhere else { return }
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) || host.hasPrefix("127.")
        guard loopback else {
            throw ConfigurationError(
                "UPARE_CAPTCHA_TEST_MODE (captchaTestMode) makes captchas pass with a known answer; it is refused on \(host), "
                + "which is not a loopback address. Bind to 127.0.0.1, or set UPARE_CAPTCHA_TEST_MODE_ANYWHERE=1 for a test network")
        }
    }
}

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

    /// Defaults overridden by the `UPARE_*` variables named above.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let host = environment["UPARE_HOST"], !host.isEmpty { configuration.host = host }
        if let port = environment["UPARE_PORT"].flatMap(Int.init), (1...65535).contains(port) { configuration.port = port }
        if let path = environment["UPARE_DATABASE"], !path.isEmpty { configuration.databasePath = path }
        if environment["UPARE_RATE_LIMITS"]?.lowercased() == "off" { configuration.rateLimits.enabled = false }
        if let instances = environment["UPARE_INSTANCES"].flatMap(Int.init), (1...1024).contains(instances) {
            configuration.rateLimits.instances = instances
        }
        if let proxies = environment["UPARE_TRUSTED_PROXIES"] {
            configuration.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        if let command = environment["UPARE_SENDMAIL"], !command.isEmpty {
            configuration.sendmailCommand = command.split(separator: " ").map(String.init)
        }
        if let from = environment["UPARE_MAIL_FROM"], !from.isEmpty { configuration.mailFrom = from }
        if let size = environment["UPARE_MAX_BODY"].flatMap(Int.init), size > 0 { configuration.maxBodySize = size }
        if let cost = environment["UPARE_BCRYPT_COST"].flatMap(UInt8.init), (4...31).contains(cost) { configuration.bcryptCost = cost }
        if let secret = environment["UPARE_SECRET"], !secret.isEmpty { configuration.secret = secret }
        if let file = environment["UPARE_SECRET_FILE"], !file.isEmpty {
            configuration.secretFile = file
        } else if let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty,
                  FileManager.default.fileExists(atPath: credentials + "/upare-secret") {
            // A systemd credential (LoadCredential=upare-secret:...).
            configuration.secretFile = credentials + "/upare-secret"
        }
        if ["1", "true", "yes", "on"].contains(environment["UPARE_SECURE_COOKIES"]?.lowercased() ?? "") {
            configuration.secureCookies = true
        }
        if let jobs = environment["UPARE_HEAVY_JOBS"].flatMap(Int.init), (1...1024).contains(jobs) { configuration.heavyJobs = jobs }
        if let pixels = environment["UPARE_DISORDER_MAX_PIXELS"].flatMap(Int.init), pixels > 0 {
            configuration.disorderLimits.maxPixels = pixels
        }
        if let loops = environment["UPARE_EVENT_LOOPS"].flatMap(Int.init), (1...256).contains(loops) { configuration.eventLoops = loops }
        for (name, path) in [("UPARE_HEADER_TIMEOUT", \ServerConfiguration.timeouts.header),
                             ("UPARE_BODY_TIMEOUT", \ServerConfiguration.timeouts.body),
                             ("UPARE_IDLE_TIMEOUT", \ServerConfiguration.timeouts.idle)] {
            if let seconds = environment[name].flatMap(Double.init), seconds > 0, seconds <= 86_400 {
                configuration[keyPath: path] = .nanoseconds(Int64(seconds * 1e9))
            }
        }
        if let origins = environment["UPARE_CORS_ORIGINS"] {
            configuration.allowedOrigins = Set(origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let issuer = environment["UPARE_ISSUER"], !issuer.isEmpty { configuration.publicURL = issuer }
        if let level = environment["UPARE_LOG_LEVEL"].flatMap({ Logger.Level(rawValue: $0.lowercased()) }) { configuration.logLevel = level }
        return configuration
    }
}

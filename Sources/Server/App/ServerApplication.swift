public import Captcha
public import Foundation
public import Hummingbird
import Logging
import NIOPosix

/// The upare HTTP API on Hummingbird.
public enum ServerApplication {
    /// The router of `EndpointTable` on `services`, behind the metrics, CORS,
    /// envelope, origin-check and rate-limit middleware. `captchaSeeds` is for
    /// tests only (known captcha answers).
    public static func router(
        services: Services, captchaSeeds: (@Sendable () -> UInt64?)? = nil
    ) -> Router<ServerRequestContext> {
        let configuration = services.configuration
        ServerMetrics.start()
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        // CORS outside the envelope: its headers go on error replies too, so
        // that a listed page can read why it was refused.
        router.add(middleware: AllowListCORSMiddleware(origins: configuration.allowedOrigins))
        router.add(middleware: EnvelopeMiddleware())
        router.add(middleware: OriginCheckMiddleware(allowed: configuration.allowedOrigins))
        router.add(middleware: RateLimitMiddleware(
            limiter: services.rateLimiter, limits: configuration.rateLimits, trustedProxies: configuration.trustedProxies))
        router.routeEndpointTable(
            RouteHandlers(services: services, captchaSeeds: captchaSeeds), uploadLimit: configuration.maxBodySize,
            authenticator: services.authenticator)
        return router
    }

    /// The captcha engine and account services of `configuration` on `database`.
    public static func services(
        configuration: ServerConfiguration, fonts: FontLibrary, database: ServerDatabase,
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws -> Services {
        let secret = try await ServerSecret.configured(configuration.secret, database: database)
        let store = SQLCaptchaStore(database: database, now: now)
        // The deployment's own captcha style, keyed by its secret: a solver
        // trained on the public style transfers badly to it.
        func style(_ options: CaptchaOptions) -> CaptchaStyle {
            CaptchaStyle.keyed(secret: secret.derive("captcha-style"), difficulty: options.difficulty, faceCount: fonts.faces.count)
        }
        func engine(_ options: CaptchaOptions) throws -> Captcha {
            try Captcha(
                options: options, fonts: fonts, style: style(options), secret: CaptchaSecret(bytes: secret.derive("captcha")),
                store: store, now: now)
        }
        var samples: [CaptchaDifficulty: CaptchaRenderer] = [:]
        for difficulty in CaptchaDifficulty.allCases {
            var options = configuration.captcha
            options.difficulty = difficulty
            samples[difficulty] = try CaptchaRenderer(options: options, fonts: fonts, style: style(options))
        }
        let captchas = CaptchaScenarios(
            standard: try engine(configuration.captcha),
            scenarios: try configuration.captchaScenarios.mapValues(engine), samples: samples)
        let voices: VoiceLibrary
        do {
            voices = try VoiceLibrary.standard()
        } catch {
            throw ServerStartupError(reason: "\(error)")
        }
        let web = try WebSite.load(servesPages: configuration.demoSite)
        return Services(
            configuration: configuration, database: database, captchas: captchas, captchaStore: store, voices: voices, web: web,
            secret: secret,
            mailer: mailer(configuration: configuration, database: database, secret: secret, now: now), now: now)
    }

    /// A ready-to-run application listening where `configuration` says, on `database`.
    public static func build(
        configuration: ServerConfiguration, fonts: FontLibrary, database: ServerDatabase
    ) async throws -> some ApplicationProtocol {
        let services = try await services(configuration: configuration, fonts: fonts, database: database)
        // Several instances on one host do better with fewer event loops each.
        let eventLoops: EventLoopGroupProvider = configuration.eventLoops.map {
            .shared(MultiThreadedEventLoopGroup(numberOfThreads: $0))
        } ?? .singleton
        return Application(
            router: router(services: services),
            server: .http1(timeouts: configuration.timeouts),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "upare"),
            services: [Sweeper(database: database, loginWindow: configuration.loginLimits.window, logger: logger(configuration))],
            eventLoopGroupProvider: eventLoops,
            logger: logger(configuration))
    }

    /// The server's logger at `configuration.logLevel`; each request is logged
    /// (method, path, status) at debug.
    static func logger(_ configuration: ServerConfiguration) -> Logger {
        var logger = Logger(label: "upare")
        logger.logLevel = configuration.logLevel
        return logger
    }

    /// The configured delivery: sendmail for e-mail when a command is set, the
    /// outbox for everything else.
    public static func mailer(
        configuration: ServerConfiguration, database: ServerDatabase, secret: ServerSecret,
        now: @escaping @Sendable () -> Date = Date.init
    ) -> any Mailer {
        let outbox = OutboxMailer(database: database, secret: secret, now: now)
        guard let command = configuration.sendmailCommand else { return outbox }
        return SendmailMailer(command: command, from: configuration.mailFrom, fallback: outbox)
    }

    /// Opens the database, serves until SIGINT or SIGTERM (in-flight requests
    /// finish), then closes the database.
    public static func run(configuration given: ServerConfiguration, fonts: FontLibrary) async throws {
        var configuration = given
        configuration.secret = try given.resolvedSecret()
        try configuration.validateForStart()
        let logger = logger(configuration)
        if configuration.captchaTestMode {
            logger.warning("captcha TEST MODE: the answer \(CaptchaSlot.TestAnswer.pass) always passes; never in production")
            FileHandle.standardError.write(Data("upare: WARNING: captcha test mode is on (UPARE_CAPTCHA_TEST_MODE)\n".utf8))
        }
        logger.info("captcha fonts", metadata: ["folder": "\(fonts.folder)", "faces": "\(fonts.faces.count)"])
        if configuration.secret == nil {
            logger.warning("\(ServerSecret.storedSecretWarning)")
            FileHandle.standardError.write(Data("upare: WARNING: \(ServerSecret.storedSecretWarning)\n".utf8))
        }
        let database: ServerDatabase
        do {
            database = try await ServerDatabase.open(location: configuration.databasePath, logger: logger)
        } catch {
            // PostgresNIO hides details from `description`; an operator needs them.
            throw ServerStartupError(reason: "cannot open the database: \(String(reflecting: error))")
        }
        do {
            try await build(configuration: configuration, fonts: fonts, database: database).runService()
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }
}

/// Why the server could not start.
public struct ServerStartupError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

public import Captcha
public import Hummingbird
public import Logging

/// The upare HTTP API on Hummingbird.
public enum ServerApplication {
    /// The router with every endpoint built so far and the envelope middleware.
    public static func router(
        configuration: ServerConfiguration, imageRoutes: ImageRoutes, rateLimiter: RateLimiter = RateLimiter()
    ) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: EnvelopeMiddleware())
        router.add(middleware: RateLimitMiddleware(
            limiter: rateLimiter, limits: configuration.rateLimits, trustedProxies: configuration.trustedProxies))
        imageRoutes.register(on: router)
        return router
    }

    /// A ready-to-run application listening where `configuration` says, on `database`.
    public static func build(
        configuration: ServerConfiguration, fonts: FontLibrary, database: ServerDatabase
    ) throws -> some ApplicationProtocol {
        let captcha = try Captcha(options: configuration.captcha, fonts: fonts, store: SQLCaptchaStore(database: database))
        let routes = ImageRoutes(captcha: captcha, maxBodySize: configuration.maxBodySize)
        return Application(
            router: router(configuration: configuration, imageRoutes: routes),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "upare"),
            logger: Logger(label: "upare"))
    }

    /// The configured delivery: sendmail for e-mail when a command is set, the
    /// outbox for everything else.
    public static func mailer(configuration: ServerConfiguration, database: ServerDatabase) -> any Mailer {
        let outbox = OutboxMailer(database: database)
        guard let command = configuration.sendmailCommand else { return outbox }
        return SendmailMailer(command: command, from: configuration.mailFrom, fallback: outbox)
    }

    /// Opens the database, serves until SIGINT or SIGTERM (in-flight requests
    /// finish), then closes the database.
    public static func run(configuration: ServerConfiguration, fonts: FontLibrary) async throws {
        let logger = Logger(label: "upare")
        let database = try await ServerDatabase.open(path: configuration.databasePath, logger: logger)
        do {
            try await build(configuration: configuration, fonts: fonts, database: database).runService()
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }
}

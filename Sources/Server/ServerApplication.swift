public import Captcha
public import Hummingbird

/// The upare HTTP API on Hummingbird.
public enum ServerApplication {
    /// The router with every endpoint built so far and the envelope middleware.
    public static func router(configuration: ServerConfiguration, imageRoutes: ImageRoutes) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: EnvelopeMiddleware())
        imageRoutes.register(on: router)
        return router
    }

    /// A ready-to-run application listening where `configuration` says.
    public static func build(configuration: ServerConfiguration, fonts: FontLibrary) throws -> some ApplicationProtocol {
        let captcha = try Captcha(options: configuration.captcha, fonts: fonts)
        let routes = ImageRoutes(captcha: captcha, maxBodySize: configuration.maxBodySize)
        return Application(
            router: router(configuration: configuration, imageRoutes: routes),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "upare"))
    }
}

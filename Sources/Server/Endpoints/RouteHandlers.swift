/// The route types of every feature, built once from `Services` and one
/// `Authenticator`; the handlers of `EndpointTable` call into them.
public struct RouteHandlers: Sendable {
    let image: ImageRoutes
    let user: UserRoutes
    let settings: SettingsRoutes
    let sns: SNSRoutes
    let friends: FriendRoutes
    let calendar: CalendarRoutes
    let oauth: OAuthRoutes
    let operations: OperationsRoutes
    let web: WebSite

    /// `captchaSeeds` is for tests only: it fixes each captcha's seed so that
    /// its answer is known.
    public init(services: Services, captchaSeeds: (@Sendable () -> UInt64?)? = nil) {
        let authenticator = services.authenticator
        image = ImageRoutes(services: services, authenticator: authenticator, seeds: captchaSeeds)
        user = UserRoutes(services: services, authenticator: authenticator)
        settings = SettingsRoutes(services: services)
        sns = SNSRoutes(services: services, authenticator: authenticator)
        friends = FriendRoutes(services: services)
        calendar = CalendarRoutes(services: services)
        oauth = OAuthRoutes(services: services, authenticator: authenticator)
        operations = OperationsRoutes(database: services.database)
        web = services.web
    }
}

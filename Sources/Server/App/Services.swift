public import Captcha
import Crypto
public import Foundation
import Hummingbird

/// Everything a request handler may use: the stores, the captcha engine, the
/// mailer, the rate limiter, the clock and the configuration they were built
/// from. `ServerApplication.services` builds it; every route type takes it
/// (and an `Authenticator` derived from it), never another route type.
public struct Services: Sendable {
    public var configuration: ServerConfiguration
    public var database: ServerDatabase
    /// The captcha engines, per scenario.
    public var captchas: CaptchaScenarios
    /// The clips the audio captcha is spoken with.
    public var voices: VoiceLibrary
    /// The widget, the unscrambler and the demo pages.
    public var web: WebSite
    /// The default scenario's engine.
    public var captcha: Captcha { captchas.standard }
    public var users: UserStore
    public var sessions: SessionStore
    public var codes: VerificationCodes
    public var throttle: LoginThrottle
    public var messages: MessageStore
    public var hasher: PasswordHasher
    public var mailer: any Mailer
    public var disorderKeys: DisorderKeyStore
    public var clients: OAuthClientStore
    public var tokens: OAuthTokens
    public var secret: ServerSecret
    public var friends: FriendStore
    public var calendar: CalendarStore
    public var avatars: AvatarStore
    public var details: UserDetailStore
    public var sns: SNSStore
    /// The rate limiter of the whole server (the middleware's buckets, per OAuth client, per passphrase).
    public var rateLimiter: RateLimiter
    /// The bound on concurrent picture and scrypt jobs.
    public var heavyWork: HeavyWork
    public var now: @Sendable () -> Date
    /// The signer of `captcha_token`s.
    let captchaTokens: CaptchaTokens
    /// Proof-of-work challenges (ALTCHA), single use through the captcha store.
    let proofOfWork: ProofOfWork
    /// Recent wrong captcha answers per address, for the adaptive proof of work.
    let captchaFailures: FailureCounter

    public init(
        configuration: ServerConfiguration, database: ServerDatabase, captchas: CaptchaScenarios, captchaStore: any CaptchaStore,
        voices: VoiceLibrary, web: WebSite, secret: ServerSecret,
        mailer: any Mailer, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.database = database
        self.captchas = captchas
        self.voices = voices
        self.web = web
        self.secret = secret
        self.mailer = mailer
        self.now = now
        users = UserStore(database: database)
        sessions = SessionStore(database: database)
        codes = VerificationCodes(database: database, secret: secret)
        throttle = LoginThrottle(database: database, limits: configuration.loginLimits)
        messages = MessageStore(database: database)
        hasher = PasswordHasher(cost: configuration.bcryptCost)
        disorderKeys = DisorderKeyStore(database: database, secret: secret)
        clients = OAuthClientStore(database: database)
        tokens = OAuthTokens(database: database)
        friends = FriendStore(database: database)
        calendar = CalendarStore(database: database)
        avatars = AvatarStore(database: database)
        details = UserDetailStore(database: database, secret: secret)
        sns = SNSStore(database: database)
        rateLimiter = RateLimiter(now: now)
        heavyWork = HeavyWork(limit: configuration.heavyJobs)
        captchaTokens = CaptchaTokens(secret: secret.derive("captcha-token"))
        captchaFailures = FailureCounter(now: now)
        proofOfWork = ProofOfWork(
            key: SymmetricKey(data: secret.derive("proof-of-work")), store: captchaStore, maxNumber: configuration.powMaxNumber,
            lifetime: configuration.powExpire, now: now)
    }

    /// Requests per OAuth client, at the token endpoint and with its bearer tokens.
    public var perClientLimit: RateLimiter.Limit? {
        configuration.rateLimits.enabled ? configuration.rateLimits.perClient : nil
    }

    /// Who is calling, under an endpoint's access policy.
    public var authenticator: Authenticator {
        Authenticator(
            sessions: sessions, users: users, tokens: tokens,
            clientLimit: perClientLimit.map { (rateLimiter, $0) }, now: now)
    }

    /// The captcha check of every endpoint behind a captcha, by cookie or `captcha_token`.
    public var captchaSlot: CaptchaSlot {
        CaptchaSlot(
            captchas: captchas, tokens: captchaTokens, testMode: configuration.captchaTestMode, proofOfWork: proofOfWork,
            powScenarios: configuration.powScenarios, powAfterFailures: configuration.powAfterFailures, failures: captchaFailures,
            trustedProxies: configuration.trustedProxies, now: now)
    }


    /// Password checks behind the failed-login throttle.
    public var passwordLogin: PasswordLogin {
        PasswordLogin(users: users, throttle: throttle, hasher: hasher, now: now)
    }

    /// Account creation and sign-in, shared by `User/register`, `User/login`,
    /// the social sign-in and the OAuth password grant.
    var accounts: Accounts { Accounts(services: self) }

    /// The address a request counts under (behind the configured proxies).
    func clientAddress(_ request: Request, _ context: ServerRequestContext) -> String {
        ClientAddress.of(request, context: context, trustedProxies: configuration.trustedProxies)
    }
}

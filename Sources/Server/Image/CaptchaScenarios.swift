public import Captcha

/// The captcha engine of each scenario (the spec's `id`): the default one,
/// and one for each scenario section of the configuration, with its own
/// options and the same store, secret and keyed style family.
public struct CaptchaScenarios: Sendable {
    public let standard: Captcha
    public let scenarios: [String: Captcha]
    /// The default options drawn at each difficulty, for `Image/captchaSample`
    /// (pictures only: no challenge is kept, so none can be answered).
    public let samples: [CaptchaDifficulty: CaptchaRenderer]

    public init(standard: Captcha, scenarios: [String: Captcha] = [:], samples: [CaptchaDifficulty: CaptchaRenderer] = [:]) {
        self.standard = standard
        self.scenarios = scenarios
        self.samples = samples
    }

    /// The engine that draws and checks the challenges of `scenario`.
    public func captcha(for scenario: String?) -> Captcha {
        scenarios[scenario ?? ""] ?? standard
    }
}

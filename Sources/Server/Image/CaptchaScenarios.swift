public import Captcha

/// The captcha engine of each scenario (the spec's `id`): the default one,
/// and one for each scenario section of the configuration, with its own
/// options and the same store, secret and keyed style family.
public struct CaptchaScenarios: Sendable {
    public let standard: Captcha
    public let scenarios: [String: Captcha]

    public init(standard: Captcha, scenarios: [String: Captcha] = [:]) {
        self.standard = standard
        self.scenarios = scenarios
    }

    /// The engine that draws and checks the challenges of `scenario`.
    public func captcha(for scenario: String?) -> Captcha {
        scenarios[scenario ?? ""] ?? standard
    }
}

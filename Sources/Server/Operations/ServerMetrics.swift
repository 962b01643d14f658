import Metrics
import Prometheus

/// The server's metrics in Prometheus' text format: Hummingbird's request
/// counts and durations by route, method and status, and upare's own counters.
/// swift-metrics is bootstrapped once per process, on first use.
public enum ServerMetrics {
    static let registry = PrometheusCollectorRegistry()

    private static let bootstrap: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Prometheus names allow [a-zA-Z0-9_:]; Hummingbird's use dots.
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitize(name), labels.map { (sanitize($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }()

    /// Hummingbird's middleware makes its counters and timers per request, so
    /// this runs several times a request: names already clean come back as they are.
    static func sanitize(_ name: String) -> String {
        guard !name.utf8.allSatisfy(isNameByte) else { return name }
        return String(decoding: name.utf8.map { isNameByte($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: ":"): true
        default: false
        }
    }

    /// Makes sure the factory is in place (idempotent).
    public static func start() {
        _ = bootstrap
    }

    /// Everything recorded so far, as Prometheus text.
    public static func exposition() -> [UInt8] {
        start()
        return registry.emitToBuffer()
    }

    // The counters of the captcha path, made once: making one looks it up in
    // the registry under a lock, on every request.
    private static let generated: [String: Metrics.Counter] = {
        start()
        return Dictionary(uniqueKeysWithValues: ["png", "jpg", "bmp"].map { ($0, generatedCounter(format: $0)) })
    }()
    private static let verified: (passed: Metrics.Counter, failed: Metrics.Counter) = {
        start()
        return (Counter(label: "upare_captchas_verified_total", dimensions: [("result", "passed")]),
                Counter(label: "upare_captchas_verified_total", dimensions: [("result", "failed")]))
    }()

    private static func generatedCounter(format: String) -> Metrics.Counter {
        Counter(label: "upare_captchas_generated_total", dimensions: [("format", format)])
    }

    static func captchaGenerated(format: String) {
        (generated[format] ?? generatedCounter(format: format)).increment()
    }

    static func captchaVerified(passed: Bool, scenario: String) {
        (passed ? verified.passed : verified.failed).increment()
    }

    static func disorderJob(action: String, succeeded: Bool) {
        Counter(label: "upare_disorder_jobs_total", dimensions: [("action", action), ("result", succeeded ? "ok" : "error")])
            .increment()
    }

    static func rateLimited(bucket: String) {
        Counter(label: "upare_rate_limit_refusals_total", dimensions: [("bucket", bucket)]).increment()
    }
}

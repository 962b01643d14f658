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

    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
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

    static func captchaGenerated(format: String) {
        Counter(label: "upare_captchas_generated_total", dimensions: [("format", format)]).increment()
    }

    static func captchaVerified(passed: Bool, scenario: String) {
        Counter(label: "upare_captchas_verified_total", dimensions: [("result", passed ? "passed" : "failed")]).increment()
    }

    static func disorderJob(action: String, succeeded: Bool) {
        Counter(label: "upare_disorder_jobs_total", dimensions: [("action", action), ("result", succeeded ? "ok" : "error")])
            .increment()
    }

    static func rateLimited(bucket: String) {
        Counter(label: "upare_rate_limit_refusals_total", dimensions: [("bucket", bucket)]).increment()
    }
}

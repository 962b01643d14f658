import HTTPTypes

extension HTTPField.Name {
    /// Always a valid field name; `.via` only satisfies the type.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
    /// `Pragma: no-cache` beside `Cache-Control: no-store`, for HTTP/1.0 caches
    /// (RFC 6749 5.1 asks for both on token replies). Always a valid name.
    static let pragma = HTTPField.Name("Pragma") ?? .cacheControl
    /// The demo pages' headers (`WebSite`). Always valid names.
    static let xFrameOptions = HTTPField.Name("X-Frame-Options") ?? .via
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .via
}

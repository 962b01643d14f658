import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Web

/// The browser side upare serves itself (`web/site`): the widget, the
/// proof-of-work worker and the unscrambler under `/static/`, and the demo
/// pages at `/`, `/presets` and `/disorder`. The files are few and small, so
/// they are read once at start and served from memory with an ETag.
public struct WebSite: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    /// The demo pages by request path, and the file each is.
    static let pages: [String: String] = ["/": "index.html", "/presets": "presets.html", "/disorder": "disorder.html"]

    /// Only the site's own scripts, styles, workers and API; pictures may be
    /// data: URIs (the captcha's JSON mode) and blob: URLs (the unscrambled
    /// and scrambled pictures), audio blob: URLs (the widget's WAV).
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "media-src 'self' blob:", "worker-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    let pages: [String: Asset]
    let files: [String: Asset]
    /// Whether the demo pages are served (`demoSite`); the widget and the unscrambler always are.
    let servesPages: Bool

    /// The site in `folder` (default: the one shipped beside the binary).
    public static func load(folder given: String? = nil, servesPages: Bool = true) throws -> WebSite {
        guard let folder = given ?? BundledWeb.folder else {
            throw ServerStartupError(
                reason: "the web folder (upare-captcha.js) was not found in \(BundledWeb.candidates.joined(separator: ", "))")
        }
        var pages: [String: Asset] = [:], files: [String: Asset] = [:]
        do {
            for (path, name) in Self.pages {
                pages[path] = try asset(URL(fileURLWithPath: folder).appendingPathComponent(name))
            }
            let staticFolder = URL(fileURLWithPath: folder).appendingPathComponent("static")
            for name in try FileManager.default.contentsOfDirectory(atPath: staticFolder.path).sorted()
            where contentType(of: name) != nil {
                files[name] = try asset(staticFolder.appendingPathComponent(name))
            }
        } catch let error as ServerStartupError {
            throw error
        } catch {
            throw ServerStartupError(reason: "cannot read the web folder \(folder): \(error)")
        }
        return WebSite(pages: pages, files: files, servesPages: servesPages)
    }

    static func asset(_ url: URL) throws -> Asset {
        let data = try Data(contentsOf: url)
        guard let type = contentType(of: url.lastPathComponent) else {
            throw ServerStartupError(reason: "\(url.path): no media type for this file")
        }
        let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
        return Asset(bytes: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
    }

    static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "ico": return "image/x-icon"
        default: return nil
        }
    }

    /// The names under `/static/`.
    public var staticNames: [String] { files.keys.sorted() }

    /// A demo page (404 when the demo site is off).
    func page(_ path: String, _ request: Request) throws -> Response {
        guard servesPages, let asset = pages[path] else { throw ErrorCatalogue.notFound }
        var response = Self.reply(asset, request, cacheControl: "no-cache")
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xFrameOptions] = "DENY"
        return response
    }

    /// A file under `/static/`: revalidated on each use (no-cache with an ETag), as the names carry no version.
    func file(_ name: String, _ request: Request) throws -> Response {
        guard let asset = files[name] else { throw ErrorCatalogue.notFound }
        return Self.reply(asset, request, cacheControl: "no-cache")
    }

    static func reply(_ asset: Asset, _ request: Request, cacheControl: String) -> Response {
        var headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: cacheControl]
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        return ConditionalGet.reply(asset.bytes, etag: asset.etag, headers: headers, to: request)
    }
}

import Crypto
public import Foundation
import Raster
import SQLKit

/// Avatars: an uploaded PNG, JPEG or BMP, decoded within limits, cropped to its
/// centre square and resized (Lanczos) to each of `sizes`, kept as PNG in the
/// database and served at `/avatars/<uid>/<size>.png` with an ETag.
public struct AvatarStore: Sendable {
    public static let sizes = [256, 128, 48]
    /// Uploads larger than this on a side (or in pixels) are refused before decoding.
    static let limits = DecodeLimits(maxWidth: 4_096, maxHeight: 4_096, maxPixels: 16_000_000)

    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    /// The PNG of each size, as heavy work (the blocking pool, bounded).
    static func render(_ upload: [UInt8], on heavyWork: HeavyWork) async throws -> [(size: Int, png: [UInt8])] {
        try await heavyWork.run {
            let image = try Image.decode(upload, limits: limits)
            let side = min(image.width, image.height)
            guard side >= 16 else { throw RasterError.invalidArgument("the picture is smaller than 16 pixels") }
            let square = image.cropped(to: Rect(x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side))
            return try sizes.map { size in
                let scaled = side == size ? square : try square.resized(width: size, height: size)
                return (size, try PNG.encode(scaled, compression: .default, threads: 1))
            }
        }
    }

    public func save(_ renditions: [(size: Int, png: [UInt8])], for userID: Int, at now: Date) async throws {
        for (size, png) in renditions {
            let etag = "\"" + SHA256.hash(data: png).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
            try await database.raw("""
                INSERT INTO avatars (user_id, size, png, etag, updated_at)
                VALUES (\(bind: userID), \(bind: size), \(bind: Data(png)), \(bind: etag), \(bind: now.timeIntervalSince1970))
                ON CONFLICT (user_id, size) DO UPDATE SET png = excluded.png, etag = excluded.etag, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func avatar(of userID: Int, size: Int) async throws -> (png: Data, etag: String)? {
        struct Row: Decodable {
            var png: Data
            var etag: String
        }
        return try await database.select().columns("png", "etag").from("avatars")
            .where("user_id", .equal, SQLBind(userID)).where("size", .equal, SQLBind(size))
            .first(decoding: Row.self).map { ($0.png, $0.etag) }
    }

    public static func url(of userID: Int, size: Int) -> String { "/avatars/\(userID)/\(size).png" }
}

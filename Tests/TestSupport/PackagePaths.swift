public import Foundation
public import Raster
public import Captcha

/// Where the tests find what the repository ships.
public enum PackagePaths {
    /// The package root, from this file's path.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let fonts = root.appendingPathComponent("fonts")

    /// The API document the server implements, beside the clone.
    public static let spec = root.deletingLastPathComponent().appendingPathComponent("shared/spec/upare-api.txt")

    /// PngSuite: `UPARE_PNGSUITE` if set, else `../shared/testdata/pngsuite` beside the clone.
    public static let pngSuite: URL = {
        if let path = ProcessInfo.processInfo.environment["UPARE_PNGSUITE"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return root.deletingLastPathComponent().appendingPathComponent("shared/testdata/pngsuite")
    }()
}

/// The faces of `fonts/`, loaded once.
public enum TestFonts {
    public static let library: FontLibrary = {
        do { return try FontLibrary(folder: PackagePaths.fonts.path) } catch {
            fatalError("fonts/ must load: \(error)")
        }
    }()

    public static func face(_ name: String = "DejaVuSans-Bold.ttf") throws -> FontFace {
        try FontFace(contentsOf: PackagePaths.fonts.appendingPathComponent(name).path)
    }
}

/// The answer `generate(..., seed:)` gives, recomputed the same way.
public func captchaAnswer(_ captcha: Captcha, seed: UInt64) -> String {
    var random = CaptchaRandom(seed: seed)
    return captcha.renderer.challenges.make(using: &random).answer
}

/// A failure of the test harness itself, with what went wrong.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Optional {
    /// The value, or a `HarnessError` saying what was missing.
    public func required(_ what: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw HarnessError("missing: \(what())") }
        return self
    }
}

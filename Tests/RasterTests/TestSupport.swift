import Foundation
import Raster
import TestSupport

/// Where the Raster tests' inputs live.
enum TestData {
    static let packageRoot = PackagePaths.root
    static let pngSuite = PackagePaths.pngSuite
    static let fontsFolder = PackagePaths.fonts

    static var hasPngSuite: Bool {
        FileManager.default.fileExists(atPath: pngSuite.appendingPathComponent("png").path)
    }

    /// This target's own fixtures (made once by `scripts/make-fixtures.py`).
    static let fixtures: URL = {
        (Bundle.module.resourceURL ?? URL(fileURLWithPath: "/nonexistent")).appendingPathComponent("Fixtures")
    }()

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        try bytes(fixtures.appendingPathComponent(name))
    }

    static func font(_ name: String = "DejaVuSans-Bold.ttf") throws -> FontFace {
        try TestFonts.face(name)
    }
}

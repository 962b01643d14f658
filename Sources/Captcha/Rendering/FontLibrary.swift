import Fonts
import Foundation
public import Raster
import Synchronization

/// The faces captchas are drawn with: every font in a folder (upare's `fonts/`),
/// plus faces named by path (ThinkPHP's `fontttf`) and the CJK face for `useZh`,
/// each loaded once and shared.
public final class FontLibrary: Sendable {
    /// The faces of the folder, sorted by file name.
    public let faces: [FontFace]
    /// The folder they were loaded from.
    public let folder: String
    private let byPath: Mutex<[String: FontFace]>

    /// System CJK faces tried in order for `useZh` (from Debian's
    /// fonts-wqy-microhei, fonts-noto-cjk, fonts-wqy-zenhei), after `UPARE_CJK_FONT`.
    public static let cjkCandidates = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ]

    /// Loads every .ttf, .otf and .ttc file in `folder`.
    public init(folder: String) throws(CaptchaError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw .font("cannot list the font folder \(folder)")
        }
        let fontNames = names.filter { ["ttf", "otf", "ttc"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !fontNames.isEmpty else { throw .font("no .ttf/.otf fonts in \(folder)") }
        var faces: [FontFace] = []
        var byPath: [String: FontFace] = [:]
        for name in fontNames {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                let face = try FontFace(contentsOf: path)
                faces.append(face)
                byPath[path] = face
            } catch {
                throw .font("\(path): \(error)")
            }
        }
        self.faces = faces
        self.folder = folder
        self.byPath = Mutex(byPath)
    }

    /// The library in `UPARE_FONTS`, else the faces shipped with upare: beside
    /// the binary (a build's resources), in its installed prefix
    /// (`<prefix>/share/upare/fonts`), or in the source tree it was built from.
    public static func standard() throws(CaptchaError) -> FontLibrary {
        if let configured = ProcessInfo.processInfo.environment["UPARE_FONTS"], !configured.isEmpty {
            return try FontLibrary(folder: configured)
        }
        guard let folder = BundledFonts.folder else {
            throw .font("no font folder found; set UPARE_FONTS (looked in \(BundledFonts.candidates.joined(separator: ", ")))")
        }
        return try FontLibrary(folder: folder)
    }

    /// The face at `path`, loaded on first use.
    public func face(at path: String) throws(CaptchaError) -> FontFace {
        if let known = byPath.withLock({ $0[path] }) { return known }
        let face: FontFace
        do {
            face = try FontFace(contentsOf: path)
        } catch {
            throw .font("\(path): \(error)")
        }
        return byPath.withLock { table in
            if let raced = table[path] { return raced }
            table[path] = face
            return face
        }
    }

    /// The first CJK face found: `UPARE_CJK_FONT`, then `cjkCandidates`.
    public func cjkFace() throws(CaptchaError) -> FontFace {
        var candidates = Self.cjkCandidates
        if let configured = ProcessInfo.processInfo.environment["UPARE_CJK_FONT"], !configured.isEmpty {
            candidates.insert(configured, at: 0)
        }
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            return try face(at: path)
        }
        throw .font("no CJK font found for useZh: install fonts-wqy-microhei (scripts/setup does) or set UPARE_CJK_FONT")
    }
}

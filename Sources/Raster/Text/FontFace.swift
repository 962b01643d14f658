internal import CFreeType
import Foundation
import Synchronization

/// A TrueType/OpenType face loaded through FreeType, with a cache of rendered
/// glyphs keyed by (character, pixel size). The only Swift file that talks to
/// FreeType.
///
/// FreeType objects are not thread-safe, so each face owns its own FT_Library
/// and every use of it goes through one lock; cache hits cost a lock and a
/// dictionary look-up, and the same face can be shared by all threads.
public final class FontFace: Sendable {
    /// File name without folder, for messages and for choosing faces.
    public let name: String
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var library: FT_Library
        var face: FT_Face
        var currentSize: Int = 0
        var glyphs: [GlyphKey: Glyph] = [:]
        var hasKerning: Bool

        deinit {
            FT_Done_Face(face)
            FT_Done_FreeType(library)
        }
    }

    private struct GlyphKey: Hashable {
        var scalar: UInt32
        var size: Int
    }

    /// The largest pixel size a glyph is rendered at.
    public static let maximumPixelSize = 512
    /// Glyphs cached per face before the cache is emptied and refilled.
    private static let cacheCapacity = 8192

    /// Loads the first face of a font file.
    public init(contentsOf path: String) throws(RasterError) {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .io("font file \(path) does not exist or cannot be read")
        }
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else {
            throw .io("FreeType could not start")
        }
        var face: FT_Face?
        let status = FT_New_Face(library, path, 0, &face)
        guard status == 0, let face else {
            FT_Done_FreeType(library)
            throw .unsupportedFormat("\(path) is not a font FreeType can read (error \(status))")
        }
        guard face.pointee.face_flags & Int(FT_FACE_FLAG_SCALABLE) != 0 else {
            FT_Done_Face(face)
            FT_Done_FreeType(library)
            throw .unsupportedFormat("\(path) is a bitmap font; a scalable face is needed")
        }
        name = (path as NSString).lastPathComponent
        let kerning = face.pointee.face_flags & Int(FT_FACE_FLAG_KERNING) != 0
        state = Mutex(State(library: library, face: face, hasKerning: kerning))
    }

    /// Whether the face has a real glyph (not the .notdef box) for `scalar`.
    public func hasGlyph(for scalar: Unicode.Scalar) -> Bool {
        state.withLock { FT_Get_Char_Index($0.face, FT_ULong(scalar.value)) != 0 }
    }

    /// The rendered glyph for `scalar` at `pixelSize` (em size in pixels).
    public func glyph(for scalar: Unicode.Scalar, pixelSize: Int) throws(RasterError) -> Glyph {
        guard (1...FontFace.maximumPixelSize).contains(pixelSize) else {
            throw .invalidArgument("font size must be 1...\(FontFace.maximumPixelSize) pixels, not \(pixelSize)")
        }
        let key = GlyphKey(scalar: scalar.value, size: pixelSize)
        return try state.withLock { state throws(RasterError) -> Glyph in
            if let cached = state.glyphs[key] { return cached }
            try FontFace.select(size: pixelSize, in: &state)
            let glyph = try FontFace.render(scalar, face: state.face)
            if state.glyphs.count >= FontFace.cacheCapacity { state.glyphs.removeAll(keepingCapacity: true) }
            state.glyphs[key] = glyph
            return glyph
        }
    }

    /// Ascent and descent at `pixelSize`, and the advance width of `text` with kerning.
    public func measure(_ text: String, pixelSize: Int) throws(RasterError) -> TextMetrics {
        var width = 0.0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            width += try glyph(for: scalar, pixelSize: pixelSize).advance
            if let previous { width += try kerning(previous, scalar, pixelSize: pixelSize) }
            previous = scalar
        }
        return try state.withLock { state throws(RasterError) -> TextMetrics in
            try FontFace.select(size: pixelSize, in: &state)
            let metrics = state.face.pointee.size.pointee.metrics
            return TextMetrics(
                width: width, ascent: Double(metrics.ascender) / 64, descent: Double(-metrics.descender) / 64)
        }
    }

    /// Horizontal kerning between two characters, in pixels (usually negative or 0).
    public func kerning(_ left: Unicode.Scalar, _ right: Unicode.Scalar, pixelSize: Int) throws(RasterError) -> Double {
        try state.withLock { state throws(RasterError) -> Double in
            guard state.hasKerning else { return 0 }
            try FontFace.select(size: pixelSize, in: &state)
            let l = FT_Get_Char_Index(state.face, FT_ULong(left.value))
            let r = FT_Get_Char_Index(state.face, FT_ULong(right.value))
            var delta = FT_Vector()
            guard FT_Get_Kerning(state.face, l, r, FT_KERNING_DEFAULT.rawValue, &delta) == 0 else { return 0 }
            return Double(delta.x) / 64
        }
    }

    private static func select(size: Int, in state: inout State) throws(RasterError) {
        guard state.currentSize != size else { return }
        guard FT_Set_Pixel_Sizes(state.face, 0, FT_UInt(size)) == 0 else {
            throw .invalidArgument("the face cannot be set to \(size) pixels")
        }
        state.currentSize = size
    }

    private static func render(_ scalar: Unicode.Scalar, face: FT_Face) throws(RasterError) -> Glyph {
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        // Light hinting: crisp stems without distorting shapes, which are then
        // rotated and sheared anyway.
        let loadTargetLight: Int32 = 1 << 16
        guard FT_Load_Glyph(face, index, Int32(FT_LOAD_RENDER) | loadTargetLight) == 0 else {
            throw .unsupportedFormat("FreeType could not render U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
        let slot = face.pointee.glyph.pointee
        let bitmap = slot.bitmap
        let width = Int(bitmap.width), height = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        var coverage = GrayImage(width: width, height: height)
        if width > 0, height > 0, let buffer = bitmap.buffer {
            let levels = max(1, Int(bitmap.num_grays) - 1)
            for y in 0..<height {
                // A negative pitch means the rows are stored bottom-up.
                let row = pitch >= 0 ? y * pitch : (height - 1 - y) * -pitch
                for x in 0..<width {
                    let value = Int(buffer[row + x])
                    coverage.pixels[y * width + x] = levels == 255 ? UInt8(value) : UInt8(min(255, value * 255 / levels))
                }
            }
        }
        return Glyph(
            bitmap: coverage, left: Int(slot.bitmap_left), top: Int(slot.bitmap_top),
            advance: Double(slot.advance.x) / 64)
    }
}

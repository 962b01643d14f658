/// A rendered glyph: an anti-aliased coverage bitmap placed relative to the pen
/// position on the baseline.
public struct Glyph: Sendable, Equatable {
    /// Coverage, 0 (empty) to 255 (ink).
    public let bitmap: GrayImage
    /// Pixels from the pen position to the bitmap's left edge.
    public let left: Int
    /// Pixels from the baseline up to the bitmap's top edge.
    public let top: Int
    /// How far the pen moves after this glyph, in pixels.
    public let advance: Double
    /// The bitmap with a one-pixel empty border, so that the transformed-drawing
    /// loop can read all four bilinear neighbours without bounds checks.
    let padded: [UInt8]

    public init(bitmap: GrayImage, left: Int, top: Int, advance: Double) {
        self.bitmap = bitmap
        self.left = left
        self.top = top
        self.advance = advance
        padded = bitmap.padded(by: 1).pixels
    }
}

/// Vertical metrics of a face at a size, and the advance width of a string.
public struct TextMetrics: Sendable, Equatable {
    /// Width from the first pen position to the last, kerning included.
    public var width: Double
    /// Pixels above the baseline the face reaches.
    public var ascent: Double
    /// Pixels below the baseline the face reaches (positive).
    public var descent: Double
    public var height: Double { ascent + descent }
}

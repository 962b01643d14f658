/// An RGBA8 raster: rows of `width` pixels, four bytes each (r, g, b, a, straight
/// alpha), top row first, no padding. The type every part of upare shares.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes.
    public var pixels: [UInt8]

    public static let bytesPerPixel = 4

    /// A new image filled with one colour. Sizes come from callers that have
    /// already applied their limits; a negative size is a programming error.
    public init(width: Int, height: Int, fill color: RGBA = .transparent) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        if color.r == color.g, color.g == color.b, color.b == color.a {
            pixels = LargeBuffer.repeating(color.r, count: width * height * 4)
        } else {
            pixels = LargeBuffer.written(count: width * height * 4) { buffer in
                var i = 0
                while i < buffer.count {
                    buffer[i] = color.r
                    buffer[i + 1] = color.g
                    buffer[i + 2] = color.b
                    buffer[i + 3] = color.a
                    i += 4
                }
            }
        }
    }

    /// A picture whose every pixel byte `fill` writes (the decoders); nil when
    /// `fill` answers false. Nothing is zeroed first.
    init?(width: Int, height: Int, filling fill: (UnsafeMutableBufferPointer<UInt8>) -> Bool) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        guard let pixels = LargeBuffer.filled(count: width * height * 4, fill) else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Wraps existing RGBA8 bytes; the count must be `width * height * 4`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(RasterError) {
        guard width >= 0, height >= 0, pixels.count == width * height * 4 else {
            throw .invalidArgument(
                "\(pixels.count) bytes do not make a \(width)x\(height) RGBA8 image")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var rowBytes: Int { width * 4 }

    @inlinable
    public subscript(x: Int, y: Int) -> RGBA {
        get {
            let i = (y * width + x) * 4
            return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
        }
        set {
            let i = (y * width + x) * 4
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
            pixels[i + 3] = newValue.a
        }
    }

    /// True when every pixel has alpha 255. A branch-free AND over 32-bit
    /// pixels, which the compiler vectorises: this runs before every JPEG encode.
    public var isOpaque: Bool {
        pixels.withUnsafeBytes { raw in
            raw.withMemoryRebound(to: UInt32.self) { words in
                var all: UInt32 = 0xFFFF_FFFF
                for word in words { all &= word }
                // Little- or big-endian, the alpha byte's bits must all have survived.
                var alphaMask: UInt32 = 0
                withUnsafeMutableBytes(of: &alphaMask) { $0[3] = 0xFF }
                return all & alphaMask == alphaMask
            }
        }
    }

    /// True when every pixel has r == g == b. Branch-free within chunks of
    /// 4,096 pixels, with a stop after each: a colour photo is answered after
    /// its first chunk, where a whole 12-megapixel scan took 14 ms.
    public var isGray: Bool {
        pixels.withUnsafeBufferPointer { p in
            let chunk = 4 * 4096
            var start = 0
            while start < p.count {
                let end = min(p.count, start + chunk)
                var differences: UInt8 = 0
                var i = start
                while i < end {
                    differences |= (p[i] ^ p[i + 1]) | (p[i] ^ p[i + 2])
                    i += 4
                }
                if differences != 0 { return false }
                start = end
            }
            return true
        }
    }
}

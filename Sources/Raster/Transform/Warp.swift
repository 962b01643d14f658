import Foundation

/// Geometric warps with bilinear sampling. Each is a backward map: for every
/// output pixel centre it asks where in the source to sample, so there are no holes.
public enum Warp {
    /// A wave along one axis: `.horizontal` shifts each row sideways by
    /// amplitude * sin(2π y / period + phase), `.vertical` each column up or down.
    public enum Axis: Sendable {
        case horizontal
        case vertical
    }
}

extension Image {
    /// Remaps the image through `sourcePosition(x, y)` (output pixel centre to
    /// source position). Pixels that map outside become `outside`.
    public func remapped(
        outside: RGBA = .transparent, _ sourcePosition: (Double, Double) -> Point
    ) -> Image {
        var out = Image(width: width, height: height)
        let w = width, h = height
        pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    for x in 0..<w {
                        let p = sourcePosition(Double(x) + 0.5, Double(y) + 0.5)
                        var c = Image.sampleBilinear(s, width: w, height: h, x: p.x, y: p.y)
                        if c.a == 0 { c = outside }
                        let i = (y * w + x) * 4
                        o[i] = c.r; o[i + 1] = c.g; o[i + 2] = c.b; o[i + 3] = c.a
                    }
                }
            }
        }
        return out
    }

    /// A sine-wave warp along one axis.
    public func sineWarped(
        axis: Warp.Axis, amplitude: Double, period: Double, phase: Double = 0, outside: RGBA = .transparent
    ) -> Image {
        guard period != 0, period.isFinite, amplitude.isFinite else { return self }
        let k = 2 * Double.pi / period
        // One sine per row or column, not per pixel.
        switch axis {
        case .horizontal:
            let shifts = (0..<height).map { amplitude * sin(k * (Double($0) + 0.5) + phase) }
            return remapped(outside: outside) { x, y in Point(x + shifts[Int(y)], y) }
        case .vertical:
            let shifts = (0..<width).map { amplitude * sin(k * (Double($0) + 0.5) + phase) }
            return remapped(outside: outside) { x, y in Point(x, y + shifts[Int(x)]) }
        }
    }

    /// The image under `transform` (in pixel coordinates), same canvas size.
    public func affineWarped(_ transform: AffineMap, outside: RGBA = .transparent) throws(RasterError) -> Image {
        guard let inverse = transform.inverted else {
            throw .invalidArgument("the transform is not invertible")
        }
        return remapped(outside: outside) { x, y in inverse.apply(Point(x, y)) }
    }

    /// A smooth random displacement: random offsets of up to `amplitude` pixels on
    /// a coarse grid (one node every `cellSize` pixels), interpolated smoothly
    /// (cubic Hermite) between nodes.
    public func displaced(
        amplitude: Double, cellSize: Int, outside: RGBA = .transparent,
        using generator: inout some RandomNumberGenerator
    ) -> Image {
        let field = DisplacementField(
            width: width, height: height, amplitude: amplitude, cellSize: cellSize, using: &generator)
        return remapped(outside: outside) { x, y in
            let d = field.offset(x: Int(x), y: Int(y))
            return Point(x + d.x, y + d.y)
        }
    }
}

/// A dense field of smooth random offsets, built from a coarse random grid.
public struct DisplacementField: Sendable {
    public let width: Int
    public let height: Int
    private var dx: [Float]
    private var dy: [Float]

    public init(
        width: Int, height: Int, amplitude: Double, cellSize: Int,
        using generator: inout some RandomNumberGenerator
    ) {
        self.width = width
        self.height = height
        let cell = max(2, cellSize)
        let gw = width / cell + 2, gh = height / cell + 2
        let grid = (0..<(gw * gh * 2)).map { _ in Double.random(in: -amplitude...amplitude, using: &generator) }
        dx = [Float](repeating: 0, count: width * height)
        dy = [Float](repeating: 0, count: width * height)
        @inline(__always) func smooth(_ t: Double) -> Double { t * t * (3 - 2 * t) }
        for y in 0..<height {
            let gy = Double(y) / Double(cell)
            let j = Int(gy), ty = smooth(gy - Double(j))
            for x in 0..<width {
                let gx = Double(x) / Double(cell)
                let i = Int(gx), tx = smooth(gx - Double(i))
                for component in 0..<2 {
                    @inline(__always) func node(_ ni: Int, _ nj: Int) -> Double { grid[(nj * gw + ni) * 2 + component] }
                    let top = node(i, j) * (1 - tx) + node(i + 1, j) * tx
                    let bottom = node(i, j + 1) * (1 - tx) + node(i + 1, j + 1) * tx
                    let value = Float(top * (1 - ty) + bottom * ty)
                    if component == 0 { dx[y * width + x] = value } else { dy[y * width + x] = value }
                }
            }
        }
    }

    @inlinable
    public func offset(x: Int, y: Int) -> Point {
        guard x >= 0, y >= 0, x < width, y < height else { return Point(0, 0) }
        return Point(Double(dxAt(y * width + x)), Double(dyAt(y * width + x)))
    }

    @usableFromInline func dxAt(_ i: Int) -> Float { dx[i] }
    @usableFromInline func dyAt(_ i: Int) -> Float { dy[i] }
}

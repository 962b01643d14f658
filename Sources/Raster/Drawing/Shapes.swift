/// Discs and rings with anti-aliased edges.
extension Image {
    /// A filled disc.
    public mutating func fillCircle(center: Point, radius: Double, color: RGBA) {
        guard radius > 0, radius.isFinite, center.x.isFinite, center.y.isFinite else { return }
        paintRadially(center: center, reach: radius + 1, color: color) { distance in
            radius + 0.5 - distance
        }
    }

    /// A circle outline of the given stroke width.
    public mutating func strokeCircle(center: Point, radius: Double, width lineWidth: Double, color: RGBA) {
        guard radius > 0, lineWidth > 0, radius.isFinite, lineWidth.isFinite else { return }
        let half = max(lineWidth / 2, 0.5)
        paintRadially(center: center, reach: radius + half + 1, color: color) { distance in
            half + 0.5 - abs(distance - radius)
        }
    }

    /// Paints every pixel within `reach` of `center` with the coverage that
    /// `coverage(distance)` gives, clamped to 0...1.
    private mutating func paintRadially(
        center: Point, reach: Double, color: RGBA, coverage: (Double) -> Double
    ) {
        let x0 = max(0, Int((center.x - reach).rounded(.down)))
        let x1 = min(width, Int((center.x + reach).rounded(.up)))
        let y0 = max(0, Int((center.y - reach).rounded(.down)))
        let y1 = min(height, Int((center.y + reach).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for py in y0..<y1 {
                let dy = Double(py) + 0.5 - center.y
                for px in x0..<x1 {
                    let dx = Double(px) + 0.5 - center.x
                    let c = min(max(coverage((dx * dx + dy * dy).squareRoot()), 0), 1)
                    if c > 0 { Image.blend(p, (py * w + px) * 4, color, Int(c * 255 + 0.5)) }
                }
            }
        }
    }
}

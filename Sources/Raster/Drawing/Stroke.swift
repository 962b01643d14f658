import Foundation

/// Anti-aliased strokes of any width. A path is flattened to a polyline, each
/// segment's coverage (distance to a capsule, with a one-pixel ramp) is merged
/// into a mask by maximum, and the mask is painted once: joins and overlapping
/// segments therefore never darken.
extension GrayImage {
    /// Merges the coverage of a stroke along the polyline through `points` (round
    /// caps and joins) into this mask, keeping the larger value at each pixel.
    /// `intensity` is the coverage of the stroke's solid core.
    public mutating func stroke(_ points: [Point], width lineWidth: Double, intensity: UInt8 = 255) {
        guard !points.isEmpty, lineWidth > 0, lineWidth.isFinite else { return }
        guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite && abs($0.x) < 1e7 && abs($0.y) < 1e7 }) else { return }
        let halfWidth = max(lineWidth / 2, 0.5)
        // Lines thinner than a pixel keep a one-pixel footprint but fade in proportion.
        let scale = min(lineWidth, 1) * Double(intensity)
        let pad = halfWidth + 1
        let segments = points.count == 1 ? [(points[0], points[0])] : Array(zip(points, points.dropFirst()))
        let w = width, h = height
        pixels.withUnsafeMutableBufferPointer { m in
            for (a, b) in segments {
                let x0 = max(0, PixelRounding.floor(min(a.x, b.x) - pad))
                let x1 = min(w, PixelRounding.ceil(max(a.x, b.x) + pad))
                let y0 = max(0, PixelRounding.floor(min(a.y, b.y) - pad))
                let y1 = min(h, PixelRounding.ceil(max(a.y, b.y) + pad))
                guard x0 < x1, y0 < y1 else { continue }
                let dx = b.x - a.x, dy = b.y - a.y
                let lengthSquared = dx * dx + dy * dy
                let inverseLength = lengthSquared > 0 ? 1 / lengthSquared : 0
                let reach = halfWidth + 0.5
                let reachSquared = reach * reach
                // On each row only the pixels within `reach` of the segment's line
                // can be covered: |x - x(line at cy)| < reach * length / |dy|.
                // That slab skips most of a diagonal segment's bounding box.
                let slab = abs(dy) > 1e-9 ? reach * lengthSquared.squareRoot() / abs(dy) + 1 : Double.infinity
                for py in y0..<y1 {
                    let cy = Double(py) + 0.5
                    let row = py * w
                    var first = x0, last = x1
                    if slab.isFinite {
                        let lineX = a.x + (cy - a.y) * dx / dy
                        first = max(x0, PixelRounding.floor(lineX - slab))
                        last = min(x1, PixelRounding.ceil(lineX + slab))
                        guard first < last else { continue }
                    }
                    for px in first..<last {
                        let cx = Double(px) + 0.5
                        let t = min(max(((cx - a.x) * dx + (cy - a.y) * dy) * inverseLength, 0), 1)
                        let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
                        let distanceSquared = ex * ex + ey * ey
                        if distanceSquared >= reachSquared { continue }  // most of a diagonal's box
                        let c = min(max(halfWidth + 0.5 - distanceSquared.squareRoot(), 0), 1)
                        if c > 0 {
                            let value = UInt8(c * scale + 0.5)
                            if value > m[row + px] { m[row + px] = value }
                        }
                    }
                }
            }
        }
    }
}

extension Image {
    /// Strokes the polyline through `points` with round caps and joins.
    public mutating func stroke(_ points: [Point], width lineWidth: Double, color: RGBA) {
        guard !points.isEmpty, lineWidth > 0, lineWidth.isFinite else { return }
        guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(),
              let minY = points.map(\.y).min(), let maxY = points.map(\.y).max(),
              minX.isFinite, maxX.isFinite, minY.isFinite, maxY.isFinite
        else { return }
        // The stroke's coverage goes into a mask over its bounding box, painted once.
        let pad = max(lineWidth / 2, 0.5) + 1
        let bx0 = max(0, Int(max(-1e7, minX - pad).rounded(.down)))
        let by0 = max(0, Int(max(-1e7, minY - pad).rounded(.down)))
        let bx1 = min(width, Int(min(1e7, maxX + pad).rounded(.up)))
        let by1 = min(height, Int(min(1e7, maxY + pad).rounded(.up)))
        guard bx0 < bx1, by0 < by1 else { return }
        var mask = GrayImage(width: bx1 - bx0, height: by1 - by0)
        mask.stroke(points.map { Point($0.x - Double(bx0), $0.y - Double(by0)) }, width: lineWidth)
        fill(mask: mask, at: bx0, by0, color: color)
    }

    /// A straight anti-aliased line.
    public mutating func drawLine(from a: Point, to b: Point, width: Double, color: RGBA) {
        stroke([a, b], width: width, color: color)
    }

    /// A quadratic Bézier curve from `p0` to `p2` pulled towards `control`.
    public mutating func drawQuadraticBezier(
        from p0: Point, control: Point, to p2: Point, width: Double, color: RGBA
    ) {
        stroke(Curves.quadratic(p0, control, p2), width: width, color: color)
    }

    /// A cubic Bézier curve from `p0` to `p3` with controls `c1` and `c2`.
    public mutating func drawCubicBezier(
        from p0: Point, _ c1: Point, _ c2: Point, to p3: Point, width: Double, color: RGBA
    ) {
        stroke(Curves.cubic(p0, c1, c2, p3), width: width, color: color)
    }

    /// y = baseline + amplitude * sin(2π (x - x0) / period + phase), for x in x0...x1.
    public mutating func drawSineCurve(
        fromX x0: Double, toX x1: Double, baseline: Double, amplitude: Double, period: Double,
        phase: Double = 0, width: Double, color: RGBA
    ) {
        stroke(
            Curves.sine(fromX: x0, toX: x1, baseline: baseline, amplitude: amplitude, period: period, phase: phase),
            width: width, color: color)
    }
}

/// Flattening of curves into polylines whose deviation from the true curve
/// stays under `tolerance` pixels: few segments on gentle curves, many on tight ones.
public enum Curves {
    /// Deviation allowed between a curve and its polyline, in pixels.
    public static let tolerance = 0.1

    static func clampCount(_ n: Double) -> Int {
        guard n.isFinite else { return 1 }
        return min(4096, max(1, Int(n.rounded(.up))))
    }

    public static func quadratic(_ p0: Point, _ p1: Point, _ p2: Point) -> [Point] {
        // The second difference bounds the curvature: n = sqrt(|p0 - 2p1 + p2| / (4 tol)).
        let ddx = p0.x - 2 * p1.x + p2.x, ddy = p0.y - 2 * p1.y + p2.y
        let n = clampCount(((ddx * ddx + ddy * ddy).squareRoot() / (4 * tolerance)).squareRoot())
        return (0...n).map { i in
            let t = Double(i) / Double(n), u = 1 - t
            return Point(
                u * u * p0.x + 2 * u * t * p1.x + t * t * p2.x,
                u * u * p0.y + 2 * u * t * p1.y + t * t * p2.y)
        }
    }

    public static func cubic(_ p0: Point, _ p1: Point, _ p2: Point, _ p3: Point) -> [Point] {
        // Wang's bound for cubics: n = sqrt(3 max|second difference| / (4 tol)).
        let d1x = p0.x - 2 * p1.x + p2.x, d1y = p0.y - 2 * p1.y + p2.y
        let d2x = p1.x - 2 * p2.x + p3.x, d2y = p1.y - 2 * p2.y + p3.y
        let dd = max((d1x * d1x + d1y * d1y).squareRoot(), (d2x * d2x + d2y * d2y).squareRoot())
        let n = clampCount((3 * dd / (4 * tolerance)).squareRoot())
        return (0...n).map { i in
            let t = Double(i) / Double(n), u = 1 - t
            let a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t
            return Point(
                a * p0.x + b * p1.x + c * p2.x + d * p3.x,
                a * p0.y + b * p1.y + c * p2.y + d * p3.y)
        }
    }

    public static func sine(
        fromX x0: Double, toX x1: Double, baseline: Double, amplitude: Double, period: Double, phase: Double
    ) -> [Point] {
        guard period != 0, period.isFinite, amplitude.isFinite, x0.isFinite, x1.isFinite else { return [] }
        // A chord of length L over curvature k deviates by about k L² / 8.
        let k = abs(amplitude) * pow(2 * Double.pi / period, 2)
        let step = k > 0 ? (8 * tolerance / k).squareRoot() : abs(x1 - x0)
        let n = clampCount(abs(x1 - x0) / max(step, 0.5))
        return (0...n).map { i in
            let x = x0 + (x1 - x0) * Double(i) / Double(n)
            return Point(x, baseline + amplitude * sin(2 * Double.pi * (x - x0) / period + phase))
        }
    }
}

extension GrayImage {
    /// Strokes the graph of a function y(x) given as a polyline with increasing x,
    /// column by column: each pixel's coverage comes from its distance to the
    /// tangent line of the curve in its column. Several times cheaper than
    /// `stroke` for the long, gentle curves of a captcha; for slopes beyond about
    /// 2 it falls back to `stroke`.
    public mutating func strokeGraph(_ points: [Point], width lineWidth: Double, intensity: UInt8 = 255) {
        guard points.count >= 2, lineWidth > 0, lineWidth.isFinite,
              points.allSatisfy({ $0.x.isFinite && $0.y.isFinite && abs($0.x) < 1e7 && abs($0.y) < 1e7 }),
              zip(points, points.dropFirst()).allSatisfy({ $0.x < $1.x }),
              zip(points, points.dropFirst()).allSatisfy({ abs(($1.y - $0.y) / ($1.x - $0.x)) < 2 })
        else {
            stroke(points, width: lineWidth, intensity: intensity)
            return
        }
        let halfWidth = max(lineWidth / 2, 0.5)
        let scale = min(lineWidth, 1) * Double(intensity)
        let w = width, h = height
        let firstColumn = max(0, Int(points[0].x.rounded(.down)))
        let lastColumn = min(w, Int((points[points.count - 1].x).rounded(.up)))
        guard firstColumn < lastColumn else { return }
        pixels.withUnsafeMutableBufferPointer { m in
            var segment = 0
            // The segment's slope and the terms that follow from it, computed
            // when the walk enters a segment rather than in every column (the
            // two divisions and the square root were a third of this loop).
            var entered = -1
            var a = points[0], slope = 0.0, cosine = 1.0, reach = 0.0
            for px in firstColumn..<lastColumn {
                let cx = Double(px) + 0.5
                guard cx >= points[0].x, cx <= points[points.count - 1].x else { continue }
                while segment + 2 < points.count && points[segment + 1].x < cx { segment += 1 }
                if segment != entered {
                    entered = segment
                    a = points[segment]
                    let b = points[segment + 1]
                    slope = (b.y - a.y) / (b.x - a.x)
                    // Distance to the tangent line = vertical distance x cos(angle).
                    cosine = 1 / (1 + slope * slope).squareRoot()
                    reach = (halfWidth + 0.5) / cosine
                }
                let cy = a.y + (cx - a.x) * slope
                let y0 = max(0, PixelRounding.floor(cy - reach)), y1 = min(h, PixelRounding.ceil(cy + reach))
                guard y0 < y1 else { continue }
                for py in y0..<y1 {
                    let distance = abs(Double(py) + 0.5 - cy) * cosine
                    let c = min(max(halfWidth + 0.5 - distance, 0), 1)
                    if c > 0 {
                        let value = UInt8(c * scale + 0.5)
                        if value > m[py * w + px] { m[py * w + px] = value }
                    }
                }
            }
        }
    }
}

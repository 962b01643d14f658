import Foundation

/// A 2-D affine map: x' = a x + c y + tx, y' = b x + d y + ty.
public struct AffineMap: Hashable, Sendable {
    public var a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double

    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineMap(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    public static func translation(_ x: Double, _ y: Double) -> AffineMap {
        AffineMap(a: 1, b: 0, c: 0, d: 1, tx: x, ty: y)
    }

    public static func scale(_ sx: Double, _ sy: Double) -> AffineMap {
        AffineMap(a: sx, b: 0, c: 0, d: sy, tx: 0, ty: 0)
    }

    /// Rotation by `radians`, clockwise on screen (y points down).
    public static func rotation(_ radians: Double) -> AffineMap {
        let cosine = cos(radians), sine = sin(radians)
        return AffineMap(a: cosine, b: sine, c: -sine, d: cosine, tx: 0, ty: 0)
    }

    /// Horizontal shear: x' = x + factor * y.
    public static func shear(x factor: Double) -> AffineMap {
        AffineMap(a: 1, b: 0, c: factor, d: 1, tx: 0, ty: 0)
    }

    /// Vertical shear: y' = y + factor * x.
    public static func shear(y factor: Double) -> AffineMap {
        AffineMap(a: 1, b: factor, c: 0, d: 1, tx: 0, ty: 0)
    }

    /// `self` applied first, then `next`.
    public func concatenating(_ next: AffineMap) -> AffineMap {
        AffineMap(
            a: next.a * a + next.c * b, b: next.b * a + next.d * b,
            c: next.a * c + next.c * d, d: next.b * c + next.d * d,
            tx: next.a * tx + next.c * ty + next.tx, ty: next.b * tx + next.d * ty + next.ty)
    }

    public var determinant: Double { a * d - b * c }

    /// The inverse map, or nil when the transform collapses the plane.
    public var inverted: AffineMap? {
        let det = determinant
        guard abs(det) > 1e-12, det.isFinite else { return nil }
        return AffineMap(
            a: d / det, b: -b / det, c: -c / det, d: a / det,
            tx: (c * ty - d * tx) / det, ty: (b * tx - a * ty) / det)
    }

    @inlinable
    public func apply(_ p: Point) -> Point {
        Point(a * p.x + c * p.y + tx, b * p.x + d * p.y + ty)
    }
}

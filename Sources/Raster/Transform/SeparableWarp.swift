/// A smooth two-way displacement made of two one-dimensional tables: the point
/// shown at output pixel (x, y) comes from source position
/// (x + rowShift[y], y + columnShift[x]). Glyphs can be drawn straight through it
/// (no second resampling pass), and polylines moved by it.
public struct SeparableWarp: Sendable, Equatable {
    public let rowShift: [Double]
    public let columnShift: [Double]
    /// `reach`, found once: every glyph drawn through the warp asks for it.
    private let reachX: Double, reachY: Double

    public init(rowShift: [Double], columnShift: [Double]) throws(RasterError) {
        guard rowShift.allSatisfy({ abs($0) < 1e4 }), columnShift.allSatisfy({ abs($0) < 1e4 }) else {
            throw .invalidArgument("warp shifts must be finite and under 10000 pixels")
        }
        self.init(unchecked: rowShift, columnShift)
    }

    /// No displacement, for a `width` x `height` canvas.
    public static func identity(width: Int, height: Int) -> SeparableWarp {
        // Zero shifts are always valid.
        (try? SeparableWarp(rowShift: [Double](repeating: 0, count: max(0, height)),
                            columnShift: [Double](repeating: 0, count: max(0, width))))
            ?? SeparableWarp(unchecked: [], [])
    }

    private init(unchecked rows: [Double], _ columns: [Double]) {
        rowShift = rows
        columnShift = columns
        reachX = rows.reduce(0) { max($0, abs($1)) }
        reachY = columns.reduce(0) { max($0, abs($1)) }
    }

    /// The largest shift along x (from the row table) and along y (from the column table).
    public var reach: (x: Double, y: Double) { (reachX, reachY) }

    @inline(__always)
    func row(_ y: Int) -> Double { y >= 0 && y < rowShift.count ? rowShift[y] : 0 }
    @inline(__always)
    func column(_ x: Int) -> Double { x >= 0 && x < columnShift.count ? columnShift[x] : 0 }

    /// Where a source point appears in the output: the inverse of the backward
    /// map, found by fixed-point iteration (exact enough for shifts whose slope
    /// is well under one).
    public func forward(_ p: Point) -> Point {
        var x = p.x, y = p.y
        for _ in 0..<3 {
            y = p.y - column(Int(x.rounded(.down)))
            x = p.x - row(Int(y.rounded(.down)))
        }
        return Point(x, y)
    }
}

import Foundation
import Raster

/// The glyph variants the renderer draws besides the solid glyph.
extension Glyph {
    /// The glyph as an outline: a ring two pixels wide along each edge of every
    /// stroke (one outside, one inside), wide enough to read at captcha sizes.
    /// The bitmap grows by one pixel on each side so the ring is whole.
    func outlined() -> Glyph {
        Glyph(bitmap: bitmap.padded(by: 1).gradient(), left: left - 1, top: top + 1, advance: advance)
    }

    /// A fragment: the part of the glyph on one side of a straight cut at
    /// `angle`, placed so that about `share` of the bitmap's area is kept.
    func cut(keeping share: Double, angle: Double) -> Glyph {
        let w = bitmap.width, h = bitmap.height
        guard w > 0, h > 0 else { return self }
        let nx = cos(angle), ny = sin(angle)
        // Half the bitmap's extent along the cut's normal: the offset where the
        // cut passes the far corner. A linear share of it approximates the area.
        let extent = (abs(nx) * Double(w) + abs(ny) * Double(h)) / 2
        let threshold = (1 - 2 * min(max(share, 0), 1)) * extent
        var pixels = bitmap.pixels
        let cx = Double(w) / 2, cy = Double(h) / 2
        for y in 0..<h {
            for x in 0..<w where (Double(x) + 0.5 - cx) * nx + (Double(y) + 0.5 - cy) * ny < threshold {
                pixels[y * w + x] = 0
            }
        }
        // Same size as the bitmap: always valid.
        let clipped = (try? GrayImage(width: w, height: h, pixels: pixels)) ?? bitmap
        return Glyph(bitmap: clipped, left: left, top: top, advance: advance)
    }
}

import Raster

/// Block moves on RGBA pixels (PNG and BMP): exact in both directions.
enum PixelScrambler {
    /// Channel orders: output channel i is input channel order[i]; alpha stays.
    static let channelOrders: [[Int]] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]

    /// Where output pixel (x, y) of a transformed w x h block comes from in the source block.
    @inline(__always)
    static func sourcePoint(_ t: Int, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> (Int, Int) {
        switch t {
        case 1: return (y, w - 1 - x)          // rotate 90° clockwise (square)
        case 2: return (w - 1 - x, h - 1 - y)  // rotate 180°
        case 3: return (h - 1 - y, x)          // rotate 270° clockwise (square)
        case 4: return (w - 1 - x, y)          // mirror left-right
        case 5: return (x, h - 1 - y)          // mirror top-bottom
        case 6: return (y, x)                  // transpose (square)
        case 7: return (h - 1 - y, w - 1 - x)  // anti-transpose (square)
        default: return (x, y)
        }
    }

    /// Applies the moves (`forward`) or undoes them.
    static func apply(_ permutation: BlockPermutation, to image: Image, forward: Bool) -> Image {
        var out = Image(width: image.width, height: image.height)
        let width = image.width
        image.pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                for move in permutation.moves {
                    let scrambled = permutation.blocks[move.target], original = permutation.blocks[move.source]
                    let w = scrambled.width, h = scrambled.height
                    let order = channelOrders[move.channels]
                    if move.transform == 0 && move.channels == 0 {
                        // The common case: whole rows at memory speed.
                        let (from, to) = forward ? (original, scrambled) : (scrambled, original)
                        for row in 0..<h {
                            let s = ((from.y + row) * width + from.x) * 4, d = ((to.y + row) * width + to.x) * 4
                            _ = UnsafeMutableBufferPointer(rebasing: target[d..<(d + w * 4)])
                                .update(fromContentsOf: UnsafeBufferPointer(rebasing: source[s..<(s + w * 4)]))
                        }
                        continue
                    }
                    for y in 0..<h {
                        for x in 0..<w {
                            let (ox, oy) = sourcePoint(move.transform, x, y, w, h)
                            let scrambledIndex = ((scrambled.y + y) * width + scrambled.x + x) * 4
                            let originalIndex = ((original.y + oy) * width + original.x + ox) * 4
                            if forward {
                                for c in 0..<3 { target[scrambledIndex + c] = source[originalIndex + order[c]] }
                                target[scrambledIndex + 3] = source[originalIndex + 3]
                            } else {
                                for c in 0..<3 { target[originalIndex + order[c]] = source[scrambledIndex + c] }
                                target[originalIndex + 3] = source[scrambledIndex + 3]
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

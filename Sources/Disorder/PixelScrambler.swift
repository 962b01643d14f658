internal import CPrefetch
import Raster

/// Block moves on RGBA pixels (PNG and BMP): exact in both directions, done in
/// place by following the permutation's cycles, so the only extra memory is one
/// block and the pixels are read and written once.
enum PixelScrambler {
    /// Channel orders: output channel i is input channel order[i]; alpha stays.
    static let channelOrders: [[Int]] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]

    /// Where row y of a transformed w x h block starts in the source block, and
    /// the source step per output pixel: every transform is a strided walk.
    @inline(__always)
    static func rowWalk(_ t: Int, _ y: Int, _ w: Int, _ h: Int) -> (x: Int, y: Int, dx: Int, dy: Int) {
        switch t {
        case 1: return (y, w - 1, 0, -1)
        case 2: return (w - 1, h - 1 - y, -1, 0)
        case 3: return (h - 1 - y, 0, 0, 1)
        case 4: return (w - 1, y, -1, 0)
        case 5: return (0, h - 1 - y, 1, 0)
        case 6: return (y, 0, 0, 1)
        case 7: return (h - 1 - y, w - 1, 0, -1)
        default: return (0, y, 1, 0)
        }
    }

    /// Swaps channels of one packed RGBA pixel; `inverse` undoes `order`.
    @inline(__always)
    static func shuffle(_ pixel: UInt32, _ order: [Int], inverse: Bool) -> UInt32 {
        var result = pixel  // alpha (byte 3) stays where it is
        withUnsafeMutableBytes(of: &result) { out in
            withUnsafeBytes(of: pixel) { source in
                for c in 0..<3 {
                    if inverse { out[order[c]] = source[c] } else { out[c] = source[order[c]] }
                }
            }
        }
        return result
    }

    /// One block move. Forward: destination pixel (x, y) = source at the walk.
    /// Inverse: destination at the walk = source pixel (x, y). `source` and
    /// `destination` point at the blocks' top-left pixels; strides are in pixels.
    @inline(__always)
    static func move(
        from source: UnsafePointer<UInt32>, sourceStride: Int, to destination: UnsafeMutablePointer<UInt32>,
        destinationStride: Int, width w: Int, height h: Int, transform t: Int, channels: Int, inverse: Bool
    ) {
        let order = channelOrders[channels]
        for y in 0..<h {
            let walk = rowWalk(t, y, w, h)
            if !inverse {
                let row = destination + y * destinationStride
                var s = source + walk.y * sourceStride + walk.x
                let step = walk.dx + walk.dy * sourceStride
                if channels == 0 {
                    for x in 0..<w { row[x] = s.pointee; s += step }
                } else {
                    for x in 0..<w { row[x] = shuffle(s.pointee, order, inverse: false); s += step }
                }
            } else {
                let row = source + y * sourceStride
                var d = destination + walk.y * destinationStride + walk.x
                let step = walk.dx + walk.dy * destinationStride
                if channels == 0 {
                    for x in 0..<w { d.pointee = row[x]; d += step }
                } else {
                    for x in 0..<w { d.pointee = shuffle(row[x], order, inverse: true); d += step }
                }
            }
        }
    }

    /// Applies the moves (`forward`) or undoes them, in place.
    static func apply(_ permutation: BlockPermutation, to image: inout Image, forward: Bool) {
        let blocks = permutation.blocks
        // For every block written: which block it reads and how.
        var reads = [(from: Int, transform: Int, channels: Int)](repeating: (0, 0, 0), count: blocks.count)
        for m in permutation.moves {
            if forward { reads[m.target] = (m.source, m.transform, m.channels) } else { reads[m.source] = (m.target, m.transform, m.channels) }
        }
        let width = image.width
        let largest = blocks.map { $0.width * $0.height }.max() ?? 0
        var saved = [UInt32](repeating: 0, count: largest)
        var done = [Bool](repeating: false, count: blocks.count)
        image.pixels.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt32.self) else { return }
            saved.withUnsafeMutableBufferPointer { savedBuffer in
                guard let spare = savedBuffer.baseAddress else { return }
                func origin(_ b: Int) -> UnsafeMutablePointer<UInt32> { base + blocks[b].y * width + blocks[b].x }
                for start in 0..<blocks.count where !done[start] {
                    let w = blocks[start].width, h = blocks[start].height
                    // Keep the cycle's first block; each later write reads a block not yet written.
                    for y in 0..<h { (spare + y * w).update(from: origin(start) + y * width, count: w) }
                    var position = start
                    while true {
                        done[position] = true
                        let read = reads[position]
                        let fromSaved = read.from == start
                        // The block after this one is somewhere else in a picture larger than
                        // the caches: its rows load while this one moves. The permute step
                        // of `upare bench disorder` went from 85-104 ms to 50-67 ms for 12 MP;
                        // two blocks ahead was no better.
                        let after = reads[read.from].from
                        if !fromSaved, after != start {
                            upare_prefetch_rows(origin(after), width * 4, Int32(blocks[after].height), blocks[after].width * 4)
                        }
                        move(from: fromSaved ? UnsafePointer(spare) : UnsafePointer(origin(read.from)),
                             sourceStride: fromSaved ? w : width, to: origin(position), destinationStride: width,
                             width: w, height: h, transform: read.transform, channels: read.channels, inverse: !forward)
                        if fromSaved { break }
                        position = read.from
                    }
                }
            }
        }
    }
}

@testable import Raster
import Testing

/// `LargeBuffer`: picture-sized arrays that skip zeroing and ask for huge pages.
@Suite("Large buffers")
struct LargeBufferTests {
    /// Sizes below, at and above the huge-page threshold, and odd ones.
    static let sizes = [0, 1, 4095, LargeBuffer.hugePageThreshold - 1, LargeBuffer.hugePageThreshold, (9 << 20) + 13]

    @Test("filled keeps what fill wrote, and is nil when fill fails")
    func filled() {
        for size in Self.sizes {
            let bytes = LargeBuffer.filled(count: size) { buffer in
                for i in buffer.indices { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
                return true
            }
            #expect(bytes?.count == size)
            #expect(bytes.map { b in b.indices.allSatisfy { b[$0] == UInt8(truncatingIfNeeded: $0 &* 31) } } == true, "\(size)")
            #expect(LargeBuffer.filled(count: size) { _ in false } == nil)
        }
    }

    @Test("repeating, written and reserved: contents, counts and room")
    func otherShapes() {
        for size in Self.sizes {
            #expect(LargeBuffer.repeating(7, count: size) == [UInt8](repeating: 7, count: size))
            let written = LargeBuffer.written(count: size) { $0.initialize(repeating: 200) }
            #expect(written == [UInt8](repeating: 200, count: size))
            var reserved = LargeBuffer.reserved(capacity: size)
            #expect(reserved.isEmpty && reserved.capacity >= size)
            reserved += [UInt8](repeating: 1, count: size)
            #expect(reserved.count == size && reserved.allSatisfy { $0 == 1 })
        }
    }

    @Test("pictures: a transparent one is zero, a coloured one is its colour, a decoder's is what it wrote")
    func images() {
        let big = Image(width: 1500, height: 1000)  // 6 MB: above the threshold
        #expect(big.pixels.count == 6_000_000 && big.pixels.allSatisfy { $0 == 0 })
        let white = Image(width: 1500, height: 1000, fill: .white)
        #expect(white.pixels.allSatisfy { $0 == 255 })
        let red = Image(width: 3, height: 2, fill: RGBA(255, 0, 0))
        #expect(red.pixels == [UInt8]([255, 0, 0, 255].repeated(6)))
        let decoded = Image(width: 2, height: 1) { pixels in
            pixels.initialize(repeating: 9)
            return true
        }
        #expect(decoded?.pixels == [UInt8](repeating: 9, count: 8))
        #expect(Image(width: 2, height: 1) { _ in false } == nil)
    }
}

private extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}

import Foundation
@testable import Raster
import Testing

/// The drawing loops' floor and ceiling, held to libm's.
@Suite("Pixel rounding")
struct PixelRoundingTests {
    @Test("floor and ceil agree with libm at integers, halves, near-integers and large magnitudes")
    func againstLibm() {
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1, -1, 1.5, -1.5, 2.4999, -2.4999, 1e-300, -1e-300,
                                .ulpOfOne, -.ulpOfOne, 4503599627370496, -4503599627370496, 4503599627370497.0, 9e15, -9e15, 1e17, -1e17]
        for k in -300...300 {
            let base = Double(k) / 7
            values += [base, base.nextUp, base.nextDown, Double(k).nextUp, Double(k).nextDown]
        }
        for v in values {
            #expect(PixelRounding.floor(v) == Int(Foundation.floor(v)), "floor(\(v))")
            #expect(PixelRounding.ceil(v) == Int(Foundation.ceil(v)), "ceil(\(v))")
        }
    }
}

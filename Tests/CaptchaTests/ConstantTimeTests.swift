import ConstantTime
import Testing
import TestSupport

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("equal bytes compare equal; a difference anywhere, or another length, does not")
    func equality() {
        let digest: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }
        #expect(ConstantTime.equal(digest, digest))
        #expect(ConstantTime.equal([], []))
        for index in [0, 15, 31] {
            var changed = digest
            changed[index] ^= 0x01
            #expect(!ConstantTime.equal(digest, changed), "byte \(index)")
        }
        #expect(!ConstantTime.equal(digest, Array(digest.dropLast())))
        #expect(!ConstantTime.equal([], [0]))
    }
}

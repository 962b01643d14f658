import Disorder
import Foundation
import Testing

/// The test vectors of docs/disorder-format.md (also produced by the independent
/// scripts/disorder-reference.py).
@Suite("Disorder format test vectors")
struct VectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var rotate: Bool, channels: Bool, container: DisorderHeader.Container
        var width: Int, height: Int, unit: Int
        var header: String
        var moves: String
        var testDescription: String { "\(width)x\(height) unit \(unit)" }
    }

    static let vectors = [
        Vector(rotate: false, channels: false, container: .png, width: 40, height: 24, unit: 1,
               header: "55504453010001000010000000280000001800010001000102030405060708090a0b0c0d0e0fa3458dff6e9bb8b1",
               moves: "0<-1 t0 c0, 1<-0 t0 c0, 2<-2 t0 c0, 3<-4 t0 c0, 4<-3 t0 c0, 5<-5 t0 c0"),
        Vector(rotate: true, channels: true, container: .png, width: 40, height: 24, unit: 1,
               header: "55504453010301000010000000280000001800010001000102030405060708090a0b0c0d0e0fa3458dff6e9bb8b1",
               moves: "0<-1 t4 c1, 1<-0 t2 c0, 2<-2 t4 c3, 3<-4 t0 c5, 4<-3 t4 c1, 5<-5 t2 c5"),
        Vector(rotate: false, channels: false, container: .jpeg, width: 70, height: 40, unit: 16,
               header: "55504453010003000010000000460000002800100010000102030405060708090a0b0c0d0e0fa3458dff6e9bb8b1",
               moves: "0<-1 t0 c0, 1<-5 t0 c0, 2<-6 t0 c0, 3<-7 t0 c0, 5<-8 t0 c0, 6<-3 t0 c0, 7<-2 t0 c0, 8<-0 t0 c0, 4<-4 t0 c0, 9<-9 t0 c0, 10<-10 t0 c0, 11<-12 t0 c0, 12<-11 t0 c0, 13<-13 t0 c0, 14<-14 t0 c0"),
        Vector(rotate: true, channels: true, container: .png, width: 96, height: 64, unit: 1,
               header: "55504453010301000010000000600000004000010001000102030405060708090a0b0c0d0e0fa3458dff6e9bb8b1",
               moves: "0<-22 t4 c5, 1<-23 t0 c4, 2<-12 t5 c2, 3<-6 t7 c1, 4<-13 t1 c5, 5<-19 t3 c2, 6<-16 t6 c0, 7<-10 t0 c1, 8<-4 t3 c1, 9<-0 t2 c5, 10<-1 t6 c5, 11<-9 t4 c3, 12<-14 t7 c1, 13<-3 t2 c0, 14<-15 t1 c2, 15<-5 t1 c2, 16<-2 t3 c3, 17<-20 t1 c0, 18<-21 t3 c3, 19<-11 t4 c3, 20<-8 t7 c1, 21<-17 t2 c2, 22<-18 t3 c3, 23<-7 t4 c3"),
    ]

    @Test("key 00..1f, nonce 00..0f, block 16: header and moves", arguments: vectors)
    func vector(_ v: Vector) throws {
        let key = try DisorderKey(bytes: Array(0..<32))
        let nonce = Array(UInt8(0)..<16)
        let header = DisorderHeader(
            rotateAndFlip: v.rotate, shuffleChannels: v.channels, container: v.container, blockSize: 16,
            width: v.width, height: v.height, unitWidth: v.unit, unitHeight: v.unit, nonce: nonce,
            keyCheck: DisorderHeader.keyCheck(key: key, nonce: nonce))
        #expect(header.bytes.map { String(format: "%02x", $0) }.joined() == v.header)
        #expect(try DisorderHeader(parsing: header.bytes[...]) == header)
        let moves = BlockPermutation(header: header, key: key).moves
        #expect(moves.map { "\($0.target)<-\($0.source) t\($0.transform) c\($0.channels)" }.joined(separator: ", ") == v.moves)
    }

    @Test("key files: hex, base64 and passphrases")
    func keyTexts() throws {
        let hex = String(repeating: "0f", count: 32)
        let fromHex = try DisorderKey(text: "  \(hex)\n")
        #expect(fromHex.hexString == hex)
        let base64 = Data(repeating: 0x0F, count: 32).base64EncodedString()
        #expect(try DisorderKey(text: base64).hexString == hex)
        let a = try DisorderKey(passphrase: "correct horse battery")
        let b = try DisorderKey(text: "correct horse battery\n")
        #expect(a.hexString == b.hexString && a.hexString.count == 64)
        #expect(throws: DisorderError.self) { try DisorderKey(text: "short") }
        #expect(throws: DisorderError.self) { try DisorderKey(bytes: [1, 2, 3]) }
        #expect(DisorderKey().hexString != DisorderKey().hexString)
    }
}

/// What a scrambled file carries besides its pixels: everything unscrambling
/// needs except the key. 46 bytes; layout in docs/disorder-format.md.
public struct DisorderHeader: Sendable, Equatable {
    public enum Container: UInt8, Sendable {
        case png = 1
        case bmp = 2
        case jpeg = 3
    }

    public static let magic: [UInt8] = Array("UPDS".utf8)
    public static let size = 46
    public static let currentVersion: UInt8 = 1

    public var version: UInt8 = DisorderHeader.currentVersion
    public var rotateAndFlip: Bool
    public var shuffleChannels: Bool
    public var container: Container
    public var blockSize: Int
    public var width: Int
    public var height: Int
    /// The unit blocks are made of: 1x1 pixel, or the JPEG's MCU.
    public var unitWidth: Int
    public var unitHeight: Int
    public var nonce: [UInt8]
    public var keyCheck: [UInt8]

    var flags: UInt8 { (rotateAndFlip ? 1 : 0) | (shuffleChannels ? 2 : 0) }

    public var bytes: [UInt8] {
        var out = Self.magic
        out += [version, flags, container.rawValue, 0]
        out += [UInt8(blockSize >> 8), UInt8(blockSize & 0xFF)]
        out += KeyStream.bigEndian(UInt32(width)) + KeyStream.bigEndian(UInt32(height))
        out += [UInt8(unitWidth >> 8), UInt8(unitWidth & 0xFF), UInt8(unitHeight >> 8), UInt8(unitHeight & 0xFF)]
        out += nonce + keyCheck
        return out
    }

    /// The key check value for `key` and this header's nonce.
    public static func keyCheck(key: DisorderKey, nonce: [UInt8]) -> [UInt8] {
        Array(key.mac(Array("upare-disorder-v1 key check".utf8) + nonce)[0..<8])
    }

    /// The bytes the permutation seed is derived from: version through nonce.
    var seedInput: [UInt8] { Array(bytes[4..<38]) }

    public init(
        rotateAndFlip: Bool, shuffleChannels: Bool, container: Container, blockSize: Int, width: Int, height: Int,
        unitWidth: Int, unitHeight: Int, nonce: [UInt8], keyCheck: [UInt8]
    ) {
        self.rotateAndFlip = rotateAndFlip
        self.shuffleChannels = shuffleChannels
        self.container = container
        self.blockSize = blockSize
        self.width = width
        self.height = height
        self.unitWidth = unitWidth
        self.unitHeight = unitHeight
        self.nonce = nonce
        self.keyCheck = keyCheck
    }

    public init(parsing bytes: ArraySlice<UInt8>) throws(DisorderError) {
        let b = Array(bytes)
        guard b.count >= Self.size, Array(b[0..<4]) == Self.magic else { throw .notScrambled }
        guard b[4] == Self.currentVersion else { throw .badHeader("version \(b[4]) is not supported (this is version 1)") }
        guard b[5] & ~3 == 0, b[7] == 0 else { throw .badHeader("unknown flags") }
        guard let container = Container(rawValue: b[6]) else { throw .badHeader("unknown container \(b[6])") }
        func u16(_ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }
        func u32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        self.init(
            rotateAndFlip: b[5] & 1 != 0, shuffleChannels: b[5] & 2 != 0, container: container,
            blockSize: u16(8), width: u32(10), height: u32(14), unitWidth: u16(18), unitHeight: u16(20),
            nonce: Array(b[22..<38]), keyCheck: Array(b[38..<46]))
        // Only what the writer produces: a hostile header must not make the
        // reader derive millions of tiny blocks.
        let pixelUnits = unitWidth == 1 && unitHeight == 1
        let mcuUnits = [8, 16].contains(unitWidth) && [8, 16].contains(unitHeight)
        guard (8...512).contains(blockSize), blockSize % 8 == 0, width >= 1, height >= 1,
              container == .jpeg ? mcuUnits : pixelUnits,
              blockSize % unitWidth == 0, blockSize % unitHeight == 0
        else { throw .badHeader("inconsistent geometry") }
    }
}

/// The keyed rearrangement of a picture's blocks, derived from the key and the
/// header (docs/disorder-format.md, "Blocks and groups" and "Draws").
///
/// The picture is cut into blocks of `blockSize` pixels, counted in units (a
/// pixel, or a JPEG MCU). Blocks of the same shape form a group: the full blocks,
/// the narrower column at the right edge, the shorter row at the bottom, the
/// corner. Blocks move only within their group, so every block lands where one
/// of the same shape was, and nothing is cropped.
public struct BlockPermutation: Sendable, Equatable {
    /// A block, in units.
    public struct Block: Sendable, Equatable {
        public var x: Int, y: Int, width: Int, height: Int
    }

    /// Block moves: scrambled block `target[k]` holds original block `source[k]`,
    /// transformed by `transform[k]` and with channels `channels[k]`.
    public struct Move: Sendable, Equatable {
        public var target: Int
        public var source: Int
        public var transform: Int
        public var channels: Int
    }

    public let blocks: [Block]
    public let moves: [Move]

    /// Square blocks may take any of the 8 symmetries; others the 4 that keep their shape.
    static let shapeKeepingTransforms = [0, 2, 4, 5]

    public init(header: DisorderHeader, key: DisorderKey) {
        let unitsAcross = (header.width + header.unitWidth - 1) / header.unitWidth
        let unitsDown = (header.height + header.unitHeight - 1) / header.unitHeight
        let blockUnitsX = header.blockSize / header.unitWidth, blockUnitsY = header.blockSize / header.unitHeight
        // The last unit column (row) is partial when the size is not a multiple of
        // the unit; such blocks differ from full ones even at the same unit count.
        let partialRight = header.width % header.unitWidth != 0
        let partialBottom = header.height % header.unitHeight != 0
        struct Shape: Equatable { var width: Int, height: Int, right: Bool, bottom: Bool }
        let blocksAcross = (unitsAcross + blockUnitsX - 1) / blockUnitsX
        let blocksDown = (unitsDown + blockUnitsY - 1) / blockUnitsY
        var blocks: [Block] = []
        blocks.reserveCapacity(blocksAcross * blocksDown)
        // At most four shapes (full, right column, bottom row, corner): a linear
        // search, where a dictionary hashed every one of 47,000 blocks.
        var groups: [[Int]] = []
        var shapes: [Shape] = []
        for by in stride(from: 0, to: unitsDown, by: blockUnitsY) {
            for bx in stride(from: 0, to: unitsAcross, by: blockUnitsX) {
                let block = Block(x: bx, y: by, width: min(blockUnitsX, unitsAcross - bx), height: min(blockUnitsY, unitsDown - by))
                let shape = Shape(
                    width: block.width, height: block.height,
                    right: partialRight && bx + block.width == unitsAcross, bottom: partialBottom && by + block.height == unitsDown)
                let group: Int
                if let known = shapes.firstIndex(of: shape) {
                    group = known
                } else {
                    group = shapes.count
                    shapes.append(shape)
                    groups.append([])
                }
                groups[group].append(blocks.count)
                blocks.append(block)
            }
        }
        let master = key.mac(Array("upare-disorder-v1".utf8) + header.seedInput)
        var moves: [Move] = []
        moves.reserveCapacity(blocks.count)
        for (g, members) in groups.enumerated() {
            var stream = KeyStream(seed: HMACBytes.mac(master, Array("group".utf8) + KeyStream.bigEndian(UInt32(g))))
            // Fisher-Yates: for i from n-1 down to 1, swap a[i] with a[uniform(i+1)].
            var order = Array(0..<members.count)
            for i in stride(from: members.count - 1, through: 1, by: -1) {
                order.swapAt(i, stream.uniform(i + 1))
            }
            let square = shapes[g].width * header.unitWidth == shapes[g].height * header.unitHeight
                && !shapes[g].right && !shapes[g].bottom
            for k in 0..<members.count {
                var transform = 0, channels = 0
                if header.rotateAndFlip {
                    transform = square ? stream.uniform(8) : Self.shapeKeepingTransforms[stream.uniform(4)]
                }
                if header.shuffleChannels { channels = stream.uniform(6) }
                moves.append(Move(target: members[k], source: members[order[k]], transform: transform, channels: channels))
            }
        }
        self.blocks = blocks
        self.moves = moves
    }
}

import Crypto

enum HMACBytes {
    static func mac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

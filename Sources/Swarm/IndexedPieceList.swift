/// An unordered list of distinct piece indices with O(1) insert, remove and
/// membership, iterated in a deterministic order (so seeded tests repeat).
struct IndexedPieceList: Sendable {
    private(set) var elements: [Int] = []
    private var position: [Int: Int] = [:]

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }

    func contains(_ piece: Int) -> Bool {
        position[piece] != nil
    }

    mutating func insert(_ piece: Int) {
        guard position[piece] == nil else { return }
        position[piece] = elements.count
        elements.append(piece)
    }

    mutating func remove(_ piece: Int) {
        guard let index = position.removeValue(forKey: piece) else { return }
        let last = elements.removeLast()
        if last != piece {
            elements[index] = last
            position[last] = index
        }
    }

    mutating func popLast() -> Int? {
        guard let last = elements.popLast() else { return nil }
        position[last] = nil
        return last
    }
}

/// Comparisons of secrets (the tracker's, a push's proofs and tokens) without an early exit,
/// so the time taken does not reveal how much of a guess was right.
public enum ConstantTime {
    public static func equal(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}

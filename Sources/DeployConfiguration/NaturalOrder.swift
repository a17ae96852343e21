/// Orders names as people number them: runs of digits compare by value, so `r2` comes
/// before `r10` and `dc-9` before `dc-10`; other characters compare as they are. Equal
/// values with different spellings (`r01`, `r1`) fall back to plain order, so the order is
/// total.
public enum NaturalOrder {
    public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var i = 0, j = 0
        while i < left.count && j < right.count {
            if isDigit(left[i]) && isDigit(right[j]) {
                let startI = i, startJ = j
                while i < left.count && isDigit(left[i]) { i += 1 }
                while j < right.count && isDigit(right[j]) { j += 1 }
                let x = trimmingZeros(left[startI..<i]), y = trimmingZeros(right[startJ..<j])
                if x.count != y.count { return x.count < y.count }
                if x != y { return x.lexicographicallyPrecedes(y) }
            } else {
                if left[i] != right[j] { return left[i] < right[j] }
                i += 1
                j += 1
            }
        }
        if (left.count - i) != (right.count - j) { return (left.count - i) < (right.count - j) }
        return a < b
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func trimmingZeros(_ digits: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let first = digits.firstIndex { $0 != UInt8(ascii: "0") } ?? digits.endIndex
        return digits[first...]
    }
}

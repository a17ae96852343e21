/// Who owns the installed tree (`--owner USER[:GROUP]`): names or numeric ids, resolved on
/// each host against its own account files, since a host's `deploy` may not have the uid it
/// has on the controller.
public struct FileOwner: Sendable, Hashable, CustomStringConvertible {
    /// A user or group as written: a name, or a numeric id.
    public enum Account: Sendable, Hashable, CustomStringConvertible {
        case name(String)
        case id(UInt32)

        public var description: String {
            switch self {
            case .name(let name): name
            case .id(let id): String(id)
            }
        }
    }

    public let user: Account
    /// Nil: the user's primary group.
    public let group: Account?

    public init(user: Account, group: Account? = nil) {
        self.user = user
        self.group = group
    }

    /// `USER`, `USER:GROUP`, `UID:GID`; names as `useradd` allows them (letters, digits, `_`,
    /// `-`, `.`, not starting with `-`, at most 32 characters, a trailing `$` for machine
    /// accounts); otherwise the reason it cannot be used.
    public static func parse(_ text: String) -> Result<FileOwner, OwnerError> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { return .failure(OwnerError("\"\(text)\" has more than one ':'; write USER or USER:GROUP")) }
        func account(_ word: String, _ role: String) -> Result<Account, OwnerError> {
            if word.isEmpty { return .failure(OwnerError("\"\(text)\" has an empty \(role); write USER or USER:GROUP")) }
            if word.allSatisfy(\.isASCIIDigit) {
                guard let id = UInt32(word), id != UInt32.max else {
                    return .failure(OwnerError("\(role) id \(word) is out of range"))
                }
                return .success(.id(id))
            }
            guard isAccountName(word) else {
                return .failure(OwnerError("\"\(word)\" is not a \(role) name (letters, digits, '_', '-', '.', at most 32, not starting with '-')"))
            }
            return .success(.name(word))
        }
        let user: Account
        switch account(parts[0], "user") {
        case .success(let value): user = value
        case .failure(let error): return .failure(error)
        }
        guard parts.count == 2 else { return .success(FileOwner(user: user)) }
        switch account(parts[1], "group") {
        case .success(let group): return .success(FileOwner(user: user, group: group))
        case .failure(let error): return .failure(error)
        }
    }

    static func isAccountName(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard (1...32).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            case UInt8(ascii: "$"): index == bytes.count - 1
            default: false
            }
        }
    }

    /// `USER` or `USER:GROUP`, as parsed back by `parse`.
    public var description: String {
        group.map { "\(user):\($0)" } ?? "\(user)"
    }
}

/// An owner that cannot be used; the message says why.
public struct OwnerError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

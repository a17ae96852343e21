/// An OpenSSH client configuration (`~/.ssh/config`, `ssh -F FILE`), read as `ssh` reads it,
/// for the keywords swarmdeploy honours (see `docs/ssh.md`): which `Host` blocks apply to a
/// host, first value wins, `IdentityFile` adds up, `Include` pulls in other files in place.
///
/// A value: the files are read once (`load`), then `resolve(_:)` answers for any host name
/// without touching the disk. Tokens (`%h`, `%r`, `~`, ...) stay unexpanded in the answer,
/// as `ssh -G` prints them; `SSHConfigTokens` expands them once the final user, host name and
/// port are known.
public struct SSHClientConfig: Sendable, Equatable {
    /// Where a line came from, for messages: "~/.ssh/config:12".
    public struct Origin: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public var description: String { "\(file):\(line)" }
    }

    /// One line that matters, in the order `ssh` meets it (included files inline).
    enum Item: Sendable, Equatable {
        /// `Host PATTERN...`: the lines after it apply when a pattern matches.
        case host([HostPattern], Origin)
        /// `Match ...`: only `Match all` is understood; other criteria never match.
        case match(all: Bool, Origin)
        /// A keyword and its arguments; the keyword in lower case.
        case option(String, [String], Origin)
        /// The start of an included file's lines, and their end.
        case beginInclude
        case endInclude
    }

    var items: [Item]
    /// Lines `resolve` cannot honour and says so once: a `Match` other than `Match all`.
    public let notices: [String]

    init(items: [Item], notices: [String]) {
        self.items = items
        self.notices = notices
    }

    /// No configuration at all (`-F none`).
    public static let empty = SSHClientConfig(items: [], notices: [])
}

/// A configuration file that cannot be used, with where and what to do.
public struct SSHConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

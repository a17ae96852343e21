#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SSHClientConfig {
    /// Which file to read: `ssh -F FILE`, or `~/.ssh/config` then `/etc/ssh/ssh_config` as
    /// `ssh` does without `-F` (each only when it exists).
    public enum Source: Sendable, Equatable {
        case file(String)
        case userDefault
        case none
    }

    /// `Include` nests at most this deep, as in OpenSSH.
    static let maximumIncludeDepth = 16
    /// No configuration file is this large; a bigger one is a mistake (a log, a device).
    static let maximumFileBytes = 4 << 20

    /// Reads the configuration `source` names; `home` is where `~` and `~/.ssh` are.
    public static func load(_ source: Source, home: String) throws(SSHConfigError) -> SSHClientConfig {
        var reader = Reader(home: home)
        switch source {
        case .none:
            return .empty
        case .file(let path):
            guard try reader.read(path, shown: path, base: home + "/.ssh", depth: 0, required: true) else {
                throw SSHConfigError("\(path): no such file; give an OpenSSH client configuration, or --ssh-config none")
            }
        case .userDefault:
            _ = try reader.read(home + "/.ssh/config", shown: "~/.ssh/config", base: home + "/.ssh", depth: 0, required: false)
            _ = try reader.read("/etc/ssh/ssh_config", shown: "/etc/ssh/ssh_config", base: "/etc/ssh", depth: 0, required: false)
        }
        return SSHClientConfig(items: reader.items, notices: reader.notices)
    }

    /// Parses one file's text (no `Include`: the lines name files this cannot read).
    public static func parse(_ text: String, file: String) throws(SSHConfigError) -> SSHClientConfig {
        var reader = Reader(home: "/")
        try reader.parse(text, shown: file, base: "/", depth: 0, includes: false)
        return SSHClientConfig(items: reader.items, notices: reader.notices)
    }

    /// Reads files in the order `ssh` meets their lines.
    private struct Reader {
        let home: String
        var items: [Item] = []
        var notices: [String] = []

        init(home: String) {
            self.home = home
        }

        /// False when the file does not exist (and is not `required`: then it is an error).
        mutating func read(_ path: String, shown: String, base: String, depth: Int, required: Bool) throws(SSHConfigError) -> Bool {
            let bytes: [UInt8]?
            do {
                bytes = try FileSystem.readFile(path, limit: maximumFileBytes)
            } catch {
                throw SSHConfigError("\(shown): \(error.reason); check the file, or give another with --ssh-config")
            }
            guard let bytes else {
                if required { throw SSHConfigError("\(shown): no such file") }
                return false
            }
            try parse(String(decoding: bytes, as: UTF8.self), shown: shown, base: base, depth: depth, includes: true)
            return true
        }

        mutating func parse(_ text: String, shown: String, base: String, depth: Int, includes: Bool) throws(SSHConfigError) {
            var number = 0
            for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
                number += 1
                let origin = Origin(file: shown, line: number)
                let words: [String]
                switch SSHConfigWords.split(rawLine) {
                case .success(let found): words = found
                case .failure(let problem): throw SSHConfigError("\(origin): \(problem)")
                }
                guard let keyword = words.first?.lowercased() else { continue }
                let arguments = Array(words.dropFirst())
                switch keyword {
                case "host":
                    guard !arguments.isEmpty else { throw SSHConfigError("\(origin): Host needs at least one pattern") }
                    items.append(.host(arguments.map(HostPattern.init), origin))
                case "match":
                    let all = arguments.map { $0.lowercased() } == ["all"]
                    if !all {
                        notices.append("\(origin): 'Match \(arguments.joined(separator: " "))' is not supported; its block is skipped (use Host blocks)")
                    }
                    items.append(.match(all: all, origin))
                case "include":
                    guard includes else { throw SSHConfigError("\(origin): Include is read only from files") }
                    guard depth < maximumIncludeDepth else {
                        throw SSHConfigError("\(origin): Include nests deeper than \(maximumIncludeDepth) files; is a file including itself?")
                    }
                    guard !arguments.isEmpty else { throw SSHConfigError("\(origin): Include needs a file name") }
                    for argument in arguments {
                        let pattern = SSHConfigTokens.expandTilde(argument, home: home)
                        let absolute = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
                        for path in Self.matchingPaths(absolute) {
                            items.append(.beginInclude)
                            _ = try read(path, shown: path, base: base, depth: depth + 1, required: false)
                            items.append(.endInclude)
                        }
                    }
                default:
                    items.append(.option(keyword, arguments, origin))
                }
            }
        }

        /// The files a pattern names, sorted; none when nothing matches.
        static func matchingPaths(_ pattern: String) -> [String] {
            var found = glob_t()
            defer { globfree(&found) }
            guard glob(pattern, 0, nil, &found) == 0 else { return [] }
            return (0..<Int(found.gl_pathc)).compactMap { index in
                found.gl_pathv[index].map { String(cString: $0) }
            }
        }
    }
}

/// The hosts file: one `[user@]host[:port]` per line, then optional
/// `key=value` labels; `#` starts a comment; blank lines are skipped.
///
/// ```
/// # rack 1
/// web1.example.com rack=r1 dc=east
/// deploy@10.0.0.7:2222 rack=r2
/// [fd00::5]:22
/// fd00::6          # bare IPv6, port from ssh.port
/// ```
public enum HostsFile {
    /// Parses a hosts file's text. `path` is only used in error messages.
    /// Hosts without a port are compared as if on `defaultPort` when looking
    /// for duplicates, since that is where they will be reached.
    public static func parse(_ contents: String, path: String, defaultPort: Int = 22) throws -> [HostEntry] {
        var entries: [HostEntry] = []
        var firstLine: [String: Int] = [:]
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so it must be named as a separator.
        let lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for rawLine in lines {
            lineNumber += 1
            let tokens = tokenize(rawLine)
            guard let hostToken = tokens.first else { continue }
            let entry = try parseLine(tokens, hostToken: hostToken, path: path, line: lineNumber)
            let identity = entry.address.identity(defaultPort: defaultPort)
            if let earlier = firstLine[identity] {
                throw DeployError(
                    .duplicateHost,
                    "host '\(entry.address.withDefaultPort(defaultPort))' duplicates line \(earlier)",
                    remedy: "remove one of the two lines (a host is deployed to once, whatever the user)",
                    path: path,
                    line: lineNumber,
                    column: hostToken.column
                )
            }
            firstLine[identity] = lineNumber
            entries.append(entry)
        }
        guard !entries.isEmpty else {
            throw DeployError(
                .noHosts,
                "no hosts in the file",
                remedy: "add one host per line as [user@]host[:port] [key=value ...]",
                path: path
            )
        }
        return entries
    }

    /// Reads and parses the hosts file at `path`.
    public static func load(path: String, defaultPort: Int = 22) throws -> [HostEntry] {
        let text = try TextFile.read(path, what: "hosts file", remedy: "create it, or point --on (or `hosts` in the Deployfile) at the right file")
        return try parse(text, path: path, defaultPort: defaultPort)
    }

    private struct Token {
        let text: String
        /// 1-based column of the first character.
        let column: Int
    }

    /// Splits a line on spaces and tabs, dropping the comment.
    private static func tokenize(_ line: Substring) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        var column = 0
        for character in line {
            column += 1
            if character == "#" { break }
            if character.isWhitespace {
                if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
                current = ""
                continue
            }
            if current.isEmpty { start = column }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
        return tokens
    }

    private static func parseLine(_ tokens: [Token], hostToken: Token, path: String, line: Int) throws -> HostEntry {
        let login: (user: String?, address: HostAddress)
        do {
            login = try HostAddress.parseLogin(hostToken.text)
        } catch let problem as HostSpecProblem {
            throw problem.error().located(path: path, line: line, column: hostToken.column + problem.offset)
        }
        var labels: [String: String] = [:]
        for token in tokens.dropFirst() {
            func fail(_ message: String, _ remedy: String) -> DeployError {
                DeployError(.malformedLabel, message, remedy: remedy, path: path, line: line, column: token.column)
            }
            guard let equals = token.text.firstIndex(of: "=") else {
                throw fail(
                    "label '\(token.text)' has no '='",
                    "write labels as key=value after the host; a host cannot contain spaces"
                )
            }
            let key = String(token.text[..<equals])
            let value = String(token.text[token.text.index(after: equals)...])
            guard !key.isEmpty else {
                throw fail("label '\(token.text)' has an empty key", "write labels as key=value")
            }
            guard key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw fail(
                    "label key '\(key)' has characters other than letters, digits, '-', '_' and '.'",
                    "rename the key"
                )
            }
            guard !value.isEmpty else {
                throw fail("label '\(key)' has an empty value", "write \(key)=value, or drop the label")
            }
            guard labels[key] == nil else {
                throw fail("label '\(key)' is given twice on this line", "keep one \(key)=value per host")
            }
            labels[key] = value
        }
        return HostEntry(user: login.user, address: login.address, labels: labels, line: line)
    }
}

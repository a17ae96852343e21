/// Quotes `text` as one word for a POSIX shell: inside single quotes
/// nothing is special except the single quote itself, written as '\''.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

public enum ShellQuoting {
    /// A command line that makes the remote shell run `arguments` exactly as
    /// given, one word each. Words of characters no shell treats specially
    /// stay bare so the line reads as typed (`df -h /opt`); the rest are
    /// single-quoted.
    public static func commandLine(_ arguments: [String]) -> String {
        arguments.map { isPlainWord($0) ? $0 : shellQuoted($0) }.joined(separator: " ")
    }

    /// Letters, digits and `_ - . / , : + @ %`: no shell expands, splits or
    /// redirects on these. (`=` is left out because a leading `NAME=value`
    /// word would become an assignment; `~` because it expands.)
    static func isPlainWord(_ word: String) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "_-./,:+@%".unicodeScalars.contains(scalar)
            )
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

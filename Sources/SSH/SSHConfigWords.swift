/// Splits one configuration line into its keyword and arguments as OpenSSH does: words
/// separated by blanks, `Keyword=value` and `Keyword = value` alike, double or single quotes
/// around words with blanks, a backslash escaping a quote, and an unquoted `#` that begins a
/// word ending the line.
enum SSHConfigWords {
    static func split<S: StringProtocol>(_ line: S) -> Result<[String], SSHConfigError> {
        var words: [String] = []
        var characters = Array(line.trimmingBlanks())
        // The keyword may be followed by '=' instead of (or around) blanks.
        if let end = characters.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) {
            var rest = end
            while rest < characters.count, characters[rest] == " " || characters[rest] == "\t" { rest += 1 }
            if rest < characters.count, characters[rest] == "=" { rest += 1 }
            words.append(String(characters[..<end]))
            characters = Array(characters[rest...])
        } else if !characters.isEmpty {
            if characters[0] == "#" { return .success([]) }
            return .success([String(characters)])
        }
        if words.first?.hasPrefix("#") == true { return .success([]) }

        var index = 0
        while index < characters.count {
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
            guard index < characters.count else { break }
            if characters[index] == "#" { break }
            var word = ""
            var quote: Character?
            while index < characters.count {
                let character = characters[index]
                if let open = quote {
                    if character == "\\", index + 1 < characters.count, characters[index + 1] == open || characters[index + 1] == "\\" {
                        word.append(characters[index + 1])
                        index += 2
                        continue
                    }
                    if character == open {
                        quote = nil
                    } else {
                        word.append(character)
                    }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == " " || character == "\t" {
                    break
                } else {
                    word.append(character)
                }
                index += 1
            }
            if quote != nil { return .failure(SSHConfigError("a quote is not closed")) }
            words.append(word)
        }
        return .success(words)
    }
}

extension StringProtocol {
    /// Without leading and trailing blanks (spaces, tabs, a carriage return).
    fileprivate func trimmingBlanks() -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        let text = Substring(self)
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return text[first...last]
    }
}

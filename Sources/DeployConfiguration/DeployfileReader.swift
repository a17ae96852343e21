import Yams

/// Typed access to Deployfile YAML nodes. Every failure names the file, the
/// dotted key, the line and column of the offending node, and a remedy.
struct DeployfileReader {
    let path: String

    static func isNull(_ node: Node) -> Bool {
        node.tagName == .null
    }

    func isAuto(_ node: Node) -> Bool {
        node.tagName == .str && node.scalar?.string.lowercased() == "auto"
    }

    /// The checked keys of a mapping, in file order.
    func entries(of node: Node, section: String?) throws -> [(String, Node)] {
        let where_ = section.map { "section '\($0)'" } ?? "the Deployfile"
        guard let mapping = node.mapping else {
            throw error(
                .wrongType, node,
                "\(where_) must be a mapping of keys to values, found \(describe(node))",
                remedy: "write `key: value` lines" + (section == nil ? "" : ", indented under \(section!):")
            )
        }
        let known = section.flatMap { DeployfileSchema.sections[$0] } ?? DeployfileSchema.topLevel
        return try mapping.map { key, value in
            guard let name = key.scalar?.string, key.tagName == .str else {
                throw error(.wrongType, key, "key \(describe(key)) in \(where_) is not a name", remedy: "use one of: \(known.joined(separator: ", "))")
            }
            guard known.contains(name) else {
                let dotted = section.map { "\($0).\(name)" } ?? name
                var remedy = "known keys here: \(known.joined(separator: ", "))"
                if let suggestion = DeployfileSchema.suggestion(for: name, among: known, section: section) {
                    remedy = "did you mean '\(suggestion)'? " + remedy
                }
                throw error(.unknownKey, key, "unknown key '\(dotted)'", remedy: remedy)
            }
            return (name, value)
        }
    }

    func string(_ node: Node, _ name: String) throws -> String {
        guard let scalar = node.scalar, node.tagName == .str else {
            throw wrongType(node, name, expected: "a string")
        }
        return scalar.string
    }

    /// A non-empty path string, kept as written.
    func path(_ node: Node, _ name: String) throws -> String {
        let text = try string(node, name)
        guard !text.isEmpty else {
            throw error(.invalidValue, node, "\(name) is empty", remedy: "write a path or remove the key")
        }
        return text
    }

    /// A string run through a setting parser, with the key and line added to its errors.
    func parsed<T>(_ node: Node, _ name: String, _ parser: (String) throws -> T) throws -> T {
        let text = try string(node, name)
        return try checking(node, name) { try parser(text) }
    }

    /// Runs `body`, placing any `DeployError` it throws at `node` under `name`.
    func checking<T>(_ node: Node, _ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let problem as DeployError {
            throw problem.prefixed("\(name): ").located(path: path, line: node.mark?.line, column: node.mark?.column)
        }
    }

    func boolean(_ node: Node, _ name: String) throws -> Bool {
        guard let value = node.bool, node.tagName == .bool else {
            throw wrongType(node, name, expected: "true or false")
        }
        return value
    }

    func integer(_ node: Node, _ name: String, expected: String = "an integer") throws -> Int {
        guard let scalar = node.scalar, node.tagName == .int else {
            throw wrongType(node, name, expected: expected)
        }
        guard let value = Int(scalar.string) ?? node.int else {
            throw error(.invalidValue, node, "\(name) '\(scalar.string)' does not fit in an integer", remedy: "use a smaller number")
        }
        return value
    }

    func integer(_ node: Node, _ name: String, in range: ClosedRange<Int>) throws -> Int {
        let value = try integer(node, name)
        return try checking(node, name) { try SettingParsers.checked(value, range, name: "value") }
    }

    /// A number of hosts (an integer) or a share (`25%`), through `check`.
    func hostCount(_ node: Node, _ name: String, _ check: (String) throws -> HostCount) throws -> HostCount {
        if node.tagName == .int {
            let count = try integer(node, name)
            return try checking(node, name) { try check("\(count)") }
        }
        guard node.scalar != nil, node.tagName == .str else {
            throw wrongType(node, name, expected: "a number of hosts or a share such as 10%")
        }
        return try parsed(node, name, check)
    }

    /// A YAML number, or a string in the setting's own syntax.
    func number(
        _ node: Node,
        _ name: String,
        parser: (String) throws -> Double,
        check: (Double) throws -> Double
    ) throws -> Double {
        switch node.tagName {
        case .int, .float:
            guard let value = node.float, value.isFinite else {
                throw error(.invalidValue, node, "\(name) is not a finite number", remedy: "write a plain number")
            }
            return try checking(node, name) { try check(value) }
        case .str:
            let text = node.scalar?.string ?? ""
            return try checking(node, name) { try check(parser(text)) }
        default:
            throw wrongType(node, name, expected: "a number or a string with a unit")
        }
    }

    func duration(_ node: Node, _ name: String, allowZero: Bool) throws -> Duration {
        let seconds = try number(node, name, parser: SettingParsers.seconds) { seconds in
            let written = node.scalar?.string ?? "\(seconds)"
            return try SettingParsers.duration(seconds: seconds, allowZero: allowZero, written: written).inSeconds
        }
        return .seconds(seconds)
    }

    func size(_ node: Node, _ name: String) throws -> Int {
        switch node.tagName {
        case .int:
            let bytes = try integer(node, name)
            guard bytes > 0 else {
                throw error(.invalidValue, node, "\(name) must be above zero", remedy: SettingParsers.sizeHelp)
            }
            return bytes
        case .str:
            return try parsed(node, name, SettingParsers.size)
        default:
            throw wrongType(node, name, expected: "a size such as 1MiB")
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    func stringList(_ node: Node, _ name: String) throws -> [(text: String, node: Node)] {
        if node.tagName == .str, let scalar = node.scalar { return [(scalar.string, node)] }
        guard let sequence = node.sequence else {
            throw wrongType(node, name, expected: "a list of strings")
        }
        return try sequence.map { item in
            guard item.tagName == .str, let scalar = item.scalar else {
                throw wrongType(item, "\(name) item", expected: "a string")
            }
            return (scalar.string, item)
        }
    }

    func pathList(_ node: Node, _ name: String) throws -> [String] {
        try stringList(node, name).map { item in
            guard !item.text.isEmpty else {
                throw error(.invalidValue, item.node, "\(name) has an empty path", remedy: "remove the empty entry")
            }
            return item.text
        }
    }

    // MARK: Errors

    func wrongType(_ node: Node, _ name: String, expected: String) -> DeployError {
        error(.wrongType, node, "\(name) must be \(expected), found \(describe(node))", remedy: "fix the value of \(name)")
    }

    func error(_ kind: DeployError.Kind, _ node: Node, _ message: String, remedy: String) -> DeployError {
        DeployError(kind, message, remedy: remedy, path: path, line: node.mark?.line, column: node.mark?.column)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            let shown = scalar.string.count > 40 ? scalar.string.prefix(40) + "…" : Substring(scalar.string)
            switch node.tagName {
            case .bool: return "a boolean (\(shown))"
            case .int: return "an integer (\(shown))"
            case .float: return "a number (\(shown))"
            case .null: return "nothing"
            case .str: return "a string ('\(shown)')"
            default: return "'\(shown)'"
            }
        }
    }

    static func convert(_ error: YamlError, path: String) -> DeployError {
        let remedy = "fix the YAML syntax (indent with spaces, `key: value`)"
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return DeployError(.invalidYAML, "invalid YAML: \(detail)\(problem)", remedy: remedy, path: path, line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return DeployError(
                .invalidYAML,
                "key \(keys) appears more than once in the same mapping",
                remedy: "keep one of them",
                path: path,
                line: context.mark.line,
                column: context.mark.column
            )
        default:
            return DeployError(.invalidYAML, "invalid YAML: \(error)", remedy: remedy, path: path)
        }
    }
}

extension Node {
    /// The resolved YAML type (`str`, `int`, `bool`, …) of this node.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}

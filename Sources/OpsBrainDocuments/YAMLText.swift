import Yams

/// Parses YAML text safely: size, flow-nesting and alias checks before and after composing.
enum YAMLText {
    static let maxFlowDepth = 16
    static let maxNodes = 20_000

    /// Composes `text` into a node, reporting syntax errors with their line (shifted by `lineOffset`).
    static func compose(_ text: String, lineOffset: Int, issues: IssueCollector) -> Node? {
        if let line = lineExceedingFlowDepth(text) {
            issues.error(line + lineOffset, "YAML nested deeper than \(maxFlowDepth) levels")
            return nil
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            issues.error(line + lineOffset, "YAML syntax: \(problem)")
            return nil
        } catch {
            issues.error(1 + lineOffset, "YAML syntax: \(error)")
            return nil
        }
        guard let node else { return nil }
        var walk = Walk(budget: maxNodes)
        if let problem = checkStructure(node, depth: 0, walk: &walk) {
            issues.error((problem.mark?.line ?? 1) + lineOffset, problem.message)
            return nil
        }
        return node
    }

    private static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return (mark.line, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return (1, "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable")
        }
    }

    private struct StructureProblem {
        var mark: Mark?
        var message: String
    }

    /// State of a pre-order walk: nodes left to visit and the last position seen.
    private struct Walk {
        var budget: Int
        var last = (line: 0, column: 0)
    }

    /// Rejects anchors/aliases (an alias bomb expands exponentially) and oversized or deep trees.
    ///
    /// Composed aliases share the anchored node, and Yams does not keep the anchor name, so an alias
    /// shows as a node that starts before the node visited just before it in document order.
    private static func checkStructure(_ node: Node, depth: Int, walk: inout Walk) -> StructureProblem? {
        walk.budget -= 1
        if let mark = node.mark {
            if (mark.line, mark.column) < walk.last {
                return StructureProblem(mark: mark, message: "YAML anchors and aliases are not allowed")
            }
            walk.last = (mark.line, mark.column)
        }
        if walk.budget < 0 { return StructureProblem(mark: node.mark, message: "YAML has more than \(maxNodes) nodes") }
        if depth > maxFlowDepth {
            return StructureProblem(mark: node.mark, message: "YAML nested deeper than \(maxFlowDepth) levels")
        }
        if node.anchor != nil {
            return StructureProblem(mark: node.mark, message: "YAML anchors and aliases are not allowed")
        }
        switch node {
        case .alias:
            return StructureProblem(mark: node.mark, message: "YAML anchors and aliases are not allowed")
        case .scalar: return nil
        case .sequence(let items):
            for item in items {
                if let problem = checkStructure(item, depth: depth + 1, walk: &walk) { return problem }
            }
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let problem = checkStructure(key, depth: depth + 1, walk: &walk)
                    ?? checkStructure(value, depth: depth + 1, walk: &walk) { return problem }
            }
        }
        return nil
    }

    /// The first line where `[`/`{` nesting (outside quotes) passes the limit, before libyaml recurses.
    private static func lineExceedingFlowDepth(_ text: String) -> Int? {
        var depth = 0
        var line = 1
        var quote: Character?
        var previous: Character = "\n"
        for character in text {
            defer { previous = character }
            if character == "\n" { line += 1; if quote == "'" || quote == "\"" { continue } }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'" where " \t\n[{,:-".contains(previous): quote = character
            case "[", "{":
                depth += 1
                if depth > maxFlowDepth { return line }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}

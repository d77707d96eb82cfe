/// A well-formed JSON value that cannot be kept, with the path to it gathered as the error travels up.
struct JSONFieldProblem: Error {
    /// What is wrong with the value.
    enum Kind {
        case nulInString
        case nulInKey
    }

    /// One step of a path: an object key or an array index.
    enum Step {
        case key(String)
        case index(Int)
    }

    let kind: Kind
    /// The steps from the value up to the document, innermost first.
    private(set) var steps: [Step]

    init(_ kind: Kind, at step: Step? = nil) {
        self.kind = kind
        self.steps = step.map { [$0] } ?? []
    }

    /// The same problem one level further out.
    func inside(_ step: Step) -> JSONFieldProblem {
        var outer = self
        outer.steps.append(step)
        return outer
    }

    /// The path as people write it: `alerts[0].labels.summary`, odd keys quoted (`labels["a b"]`).
    var path: String {
        var text = ""
        for step in steps.reversed() {
            switch step {
            case .index(let index): text += "[\(index)]"
            case .key(let key) where Self.isPlain(key): text += text.isEmpty ? key : "." + key
            case .key(let key): text += "[" + JSONValue.string(key).jsonText + "]"
            }
        }
        return text.isEmpty ? "the document" : text
    }

    var parseError: JSONParseError {
        let place = path
        let nul = "contains a NUL character (\\u0000), which PostgreSQL text cannot store"
        switch kind {
        case .nulInString: return JSONParseError(field: place, message: "\(place) \(nul)")
        case .nulInKey: return JSONParseError(field: place, message: "the key \(place) \(nul)")
        }
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

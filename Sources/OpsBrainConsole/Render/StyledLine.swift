import OpsBrainCore

/// A line of text in pieces, each with its role: what detail panes are made of.
public struct StyledLine: Sendable, Equatable {
    public var segments: [(text: String, role: ThemeRole)]

    public init(_ segments: [(String, ThemeRole)]) {
        self.segments = segments.map { (text: $0.0, role: $0.1) }
    }

    /// A line in one role.
    public init(_ text: String, _ role: ThemeRole = .body) {
        self.init([(text, role)])
    }

    /// Equal when every segment has the same text and role.
    public static func == (lhs: StyledLine, rhs: StyledLine) -> Bool {
        lhs.segments.count == rhs.segments.count
            && zip(lhs.segments, rhs.segments).allSatisfy { $0.text == $1.text && $0.role == $1.role }
    }

    /// An empty line.
    public static let blank = StyledLine("")

    /// A `label  value` line with the label in the header role.
    public static func field(_ label: String, _ value: String, _ role: ThemeRole = .body, labelWidth: Int = 12) -> StyledLine {
        StyledLine([(TextWidth.fit(label, to: labelWidth, ellipsis: ""), .header), (value, role)])
    }

    /// The line broken into lines of at most `width` columns, between words where it can (a word
    /// longer than a line is cut); continuations are indented by two.
    public func wrapped(to width: Int) -> [StyledLine] {
        guard width > 4 else { return [self] }
        var wrapper = LineWrapper(width: width)
        for segment in segments {
            for word in Self.words(segment.text) { wrapper.add(word, role: segment.role) }
        }
        return wrapper.finish()
    }

    /// The text in words, each with the spaces before it.
    private static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            // A space after a word's letters ends that word.
            if character == " ", let last = current.last, last != " " {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}

/// Lays words into lines of a width: a word that does not fit starts the next line.
private struct LineWrapper {
    let width: Int
    var lines: [StyledLine] = []
    var current: [(String, ThemeRole)] = []
    var used = 0

    init(width: Int) { self.width = width }

    mutating func add(_ word: String, role: ThemeRole) {
        if used + TextWidth.of(word) > width, used > 2 {
            let bare = String(word.drop { $0 == " " })
            if TextWidth.of(bare) <= width - 2 {
                breakLine()
                append(bare, role: role)
                return
            }
        }
        for character in word {
            if used + TextWidth.of(character) > width { breakLine() }
            append(String(character), role: role)
        }
    }

    private mutating func append(_ text: String, role: ThemeRole) {
        if let last = current.last, last.1 == role {
            current[current.count - 1].0 += text
        } else {
            current.append((text, role))
        }
        used += TextWidth.of(text)
    }

    private mutating func breakLine() {
        lines.append(StyledLine(current))
        current = [("  ", .body)]
        used = 2
    }

    mutating func finish() -> [StyledLine] {
        lines.append(StyledLine(current))
        return lines
    }
}

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

    /// The line broken into lines of at most `width` columns; continuations are indented by two.
    public func wrapped(to width: Int) -> [StyledLine] {
        guard width > 4 else { return [self] }
        var lines: [StyledLine] = []
        var current: [(String, ThemeRole)] = []
        var used = 0
        for segment in segments {
            var piece = ""
            for character in segment.text {
                let size = TextWidth.of(character)
                if used + size > width {
                    current.append((piece, segment.role))
                    lines.append(StyledLine(current))
                    current = [("  ", .body)]
                    piece = ""
                    used = 2
                }
                piece.append(character)
                used += size
            }
            if !piece.isEmpty { current.append((piece, segment.role)) }
        }
        lines.append(StyledLine(current))
        return lines
    }
}

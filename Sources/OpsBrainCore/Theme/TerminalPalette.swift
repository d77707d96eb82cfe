/// Maps theme colours onto terminal colour indexes: the xterm 256-colour cube and grey ramp, or the 16/8 ANSI colours.
public enum TerminalPalette {
    /// The xterm cube's channel levels.
    static let cubeLevels = [0, 95, 135, 175, 215, 255]
    /// xterm's default RGB values of the 16 ANSI colours.
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The terminal colour index for `color` in `mode` (-1: the terminal's default).
    public static func index(_ color: ThemeColor, mode: ColorMode) -> Int {
        switch (color, mode) {
        case (_, .monochrome), (.terminalDefault, _): return -1
        case (.ansi(let index), .colors8): return index % 8
        case (.ansi(let index), _): return index
        case (.indexed(let index), .colors256): return index
        case (.indexed(let index), .colors16) where index < 16: return index
        case (.indexed(let index), .colors8) where index < 16: return index % 8
        case (.indexed(let index), _): return nearestANSI(rgb(ofIndex: index), count: mode == .colors8 ? 8 : 16)
        case (.rgb(let red, let green, let blue), .colors256): return xterm256(Int(red), Int(green), Int(blue))
        case (.rgb(let red, let green, let blue), _):
            return nearestANSI((Int(red), Int(green), Int(blue)), count: mode == .colors8 ? 8 : 16)
        }
    }

    /// The nearest entry of the xterm cube (16-231) or grey ramp (232-255).
    public static func xterm256(_ red: Int, _ green: Int, _ blue: Int) -> Int {
        let levels = [red, green, blue].map(nearestCubeLevel)
        let cube = 16 + 36 * levels[0] + 6 * levels[1] + levels[2]
        let cubeRGB = (cubeLevels[levels[0]], cubeLevels[levels[1]], cubeLevels[levels[2]])
        let average = (red + green + blue) / 3
        let greyStep = min(23, max(0, (average - 8 + 5) / 10))
        let greyValue = 8 + 10 * greyStep
        let target = (red, green, blue)
        return distance(target, (greyValue, greyValue, greyValue)) < distance(target, cubeRGB) ? 232 + greyStep : cube
    }

    private static func nearestCubeLevel(_ value: Int) -> Int {
        cubeLevels.indices.min { abs(cubeLevels[$0] - value) < abs(cubeLevels[$1] - value) } ?? 0
    }

    /// The RGB value xterm shows for a 256-colour index.
    static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        if index < 16 { return ansiRGB[index] }
        if index >= 232 { let grey = 8 + 10 * (index - 232); return (grey, grey, grey) }
        let cube = index - 16
        return (cubeLevels[cube / 36], cubeLevels[cube / 6 % 6], cubeLevels[cube % 6])
    }

    /// The ANSI colour closest in kind: greys by lightness, colours by hue, bright when light enough
    /// (nearest-RGB picks odd matches such as yellow for mid grey).
    static func nearestANSI(_ color: (Int, Int, Int), count: Int) -> Int {
        let (red, green, blue) = color
        let high = max(red, green, blue)
        let low = min(red, green, blue)
        let lightness = (high + low) / 2
        let chroma = high - low
        if chroma < 40 {
            if count == 8 { return lightness >= 64 ? 7 : 0 }
            return lightness < 48 ? 0 : (lightness < 144 ? 8 : (lightness < 208 ? 7 : 15))
        }
        var hue: Double
        if high == red {
            hue = 60 * Double(green - blue) / Double(chroma)
        } else if high == green {
            hue = 60 * Double(blue - red) / Double(chroma) + 120
        } else {
            hue = 60 * Double(red - green) / Double(chroma) + 240
        }
        if hue < 0 { hue += 360 }
        // red, yellow, green, cyan, blue, magenta by 60-degree sectors centred on each.
        let sectors = [1, 3, 2, 6, 4, 5]
        let base = sectors[Int((hue + 30).truncatingRemainder(dividingBy: 360) / 60)]
        let bright = (high >= 230 && lightness >= 110) || lightness >= 160
        return count == 16 && bright ? base + 8 : base
    }

    private static func distance(_ lhs: (Int, Int, Int), _ rhs: (Int, Int, Int)) -> Int {
        let red = lhs.0 - rhs.0, green = lhs.1 - rhs.1, blue = lhs.2 - rhs.2
        return red * red + green * green + blue * blue
    }
}

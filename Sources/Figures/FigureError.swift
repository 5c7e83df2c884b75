/// Why a figure cannot be drawn: names the figure, the run file, what is missing and how to record it.
public struct FigureError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// "FIGURE: FILE has no WHAT; HINT".
    static func missing(_ figure: FigureKind, _ file: String, _ what: String, _ hint: String) -> FigureError {
        FigureError("\(figure.rawValue): \(file) has no \(what); \(hint)")
    }
}

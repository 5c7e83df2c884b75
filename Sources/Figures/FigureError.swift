/// Why a figure cannot be drawn: names the figure, the run file, what is missing and how to record it.
/// `reason` is the case a caller can switch on; `message` is the text for a person.
public struct FigureError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, for callers that react to it.
    public enum Reason: Equatable, Sendable {
        /// The run lacks data the figure needs, or the request does not fit the run (the message says which).
        case other
        /// `--analysis ID` names no analysis of `file`; `available` are its /analyses ids.
        case unknownAnalysis(file: String, id: String, available: [String])
        /// The named analysis is of another step or operator than the figure was asked to draw.
        case analysisMismatch(file: String, id: String)
    }

    public var reason: Reason
    public var message: String
    public init(_ message: String, reason: Reason = .other) {
        self.message = message
        self.reason = reason
    }
    public var description: String { message }

    /// "FIGURE: FILE has no WHAT; HINT".
    static func missing(_ figure: FigureKind, _ file: String, _ what: String, _ hint: String) -> FigureError {
        FigureError("\(figure.rawValue): \(file) has no \(what); \(hint)")
    }

    /// "FIGURE: FILE has no analysis 'ID' (analyses: 0000 at step 200, ...); HINT". `available`: (id, step) in order of writing.
    static func unknownAnalysis(_ figure: FigureKind, _ file: String, id: String, available: [(id: String, step: Int)]) -> FigureError {
        let list = available.isEmpty ? "it has none" : "analyses: " + available.map { "\($0.id) at step \($0.step)" }.joined(separator: ", ")
        let fix = available.isEmpty
            ? "run curv-density \(file) to add one, or leave out --analysis to draw the recorded spectrum"
            : "name one of those with --analysis (curv-inspect \(file) lists their settings), "
                + "or leave out --analysis to draw the most accurate source at each step"
        return FigureError("\(figure.rawValue): \(file) has no analysis '\(id)' (\(list)); \(fix)",
                           reason: .unknownAnalysis(file: file, id: id, available: available.map(\.id)))
    }
}

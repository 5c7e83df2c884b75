import ArgumentParser
import CAllocator
import Figures
import Foundation
import Plot
import RunStore
import ToolSupport

/// Which spectra `--source` lets density, spectrum and report draw.
enum SourceOption: String, ExpressibleByArgument, CaseIterable {
    /// The most accurate recorded spectrum or analysis at each step.
    case best
    /// Only the spectra recorded during training.
    case recorded
}

/// curv-plot FIGURE RUN.h5 [RUN.h5 ...] --out FIG.png|FIG.svg: draws one figure from run files (see docs/figures.md).
struct CurvPlot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-plot",
        abstract: "Draw a figure from Curvature run files into a PNG or an SVG.",
        discussion: """
        FIGURE is one of: \(FigureKind.allCases.map(\.rawValue).joined(separator: ", ")). See docs/figures.md.
        An --out ending in .svg writes the same figure as vector graphics (text as text, DejaVu Sans).

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "sharpness | loss | lr | density | spectrum | report | blocks | grid")
    var figure: String

    @Argument(help: "Run files (HDF5) written by curv-record; for grid, one folder written by curv-sweep.")
    var runs: [String]

    @Option(name: .long, help: "Output path, .png or .svg (written only when complete).")
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Steps for density figures, comma-separated (default: the last recorded spectrum).")
    var at: String?

    @Option(name: .long, help: "Canvas size in pixels, WxH (default 900x560; report 1200x820).")
    var size: String?

    @Option(name: .long, parsing: .unconditional, help: "Scale factor for text and lines (default from the size).")
    var scale: Double?

    @Option(name: .long, help: "Figure title.")
    var title: String?

    @Flag(name: .long, help: "Log-scaled step axis.")
    var logx = false

    @Option(name: .long, help: "Legend labels, comma-separated, one per run (default: from each run's config).")
    var labels: String?

    @Option(name: .long, help: "hessian | preconditioned (default: preconditioned for Adam runs that recorded it).")
    var `operator`: String?

    @Option(name: .long, help: "Spectra to draw: best (the most accurate recorded spectrum or analysis at each step) or recorded.")
    var source: SourceOption?

    @Option(name: .long, help: ArgumentHelp("Draw this curv-density analysis at its step: an /analyses id (0003), or what it is: step=200,operator=preconditioned[,probes=,lanczos=,dtype=,seed=,blocks=,trace=yes][,latest].", valueName: "ID|SELECTION"))
    var analysis: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("x limits of every panel, LO,HI (data units: steps, or eigenvalues for density).", valueName: "LO,HI"))
    var xlim: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("y limits of the main (first) panel, LO,HI in data units.", valueName: "LO,HI"))
    var ylim: String?

    @Option(name: .long, help: ArgumentHelp("grid: the sweep axis drawn across (default: the first).", valueName: "AXIS"))
    var x: String?

    @Option(name: .long, help: ArgumentHelp("grid: the sweep axis drawn up (default: the second).", valueName: "AXIS"))
    var y: String?

    @Option(name: .long, help: ArgumentHelp("grid: hold another sweep axis at one value (repeatable).", valueName: "AXIS=VALUE"))
    var `where`: [String] = []

    @Option(name: .long, help: ArgumentHelp("grid: what colours the cells: \(GridColor.allCases.map(\.rawValue).joined(separator: " | ")).", valueName: "WHAT"))
    var color: String?

    @Flag(name: .long, help: "Print nothing but errors (default: the source drawn at each step, then the output path).")
    var quiet = false

    @Flag(name: .long, help: "Replace an existing --out file that is not a PNG (or, for .svg, not an SVG); an existing one is always replaced.")
    var overwrite = false

    func validate() throws {
        if analysis != nil, let source {
            throw ValidationError("--analysis and --source \(source.rawValue) are exclusive: --analysis names the source at its step")
        }
        if let analysis {
            do { _ = try AnalysisSelector(analysis) } catch { throw ValidationError("--analysis: \(error)") }
        }
        guard FigureKind(rawValue: figure) != nil else {
            throw ValidationError("unknown figure '\(figure)'; expected one of: \(FigureKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !runs.isEmpty else { throw ValidationError("give at least one run file") }
        guard [".png", ".svg"].contains(where: out.lowercased().hasSuffix) else {
            throw ValidationError("--out must name a .png or .svg file, got '\(out)'")
        }
        if let input = runs.first(where: { OutputGuard.sameFile(out, $0) }) {
            throw ValidationError("--out \(out) is the input run file \(input); writing the figure there would destroy the run: choose another --out")
        }
        if !overwrite && isSVG && OutputGuard.existsWithoutSignature(out, Array("<?xml".utf8))
            && OutputGuard.existsWithoutSignature(out, Array("<svg".utf8)) {
            throw ValidationError("\(out) exists and is not an SVG; pass --overwrite to replace it")
        }
        if !overwrite && !isSVG && OutputGuard.existsWithoutSignature(out, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            throw ValidationError("\(out) exists and is not a PNG; pass --overwrite to replace it")
        }
        if let size { _ = try parseSize(size) }
        if let at { _ = try parseSteps(at) }
        if let op = `operator`, SpectralOperator(rawValue: op) == nil {
            throw ValidationError("--operator must be hessian or preconditioned, got '\(op)'")
        }
        if let scale, !(scale > 0 && scale <= 10) { throw ValidationError("--scale must be positive and at most 10, got \(scale)") }
        if let xlim { _ = try parseLimits(xlim, "--xlim") }
        let gridOnly = [("--x", x != nil), ("--y", y != nil), ("--where", !`where`.isEmpty), ("--color", color != nil)].filter(\.1).map(\.0)
        if figure != FigureKind.grid.rawValue, let first = gridOnly.first {
            throw ValidationError("\(first) is an option of the grid figure (curv-plot grid SWEEP_DIR), not of \(figure)")
        }
        if let color, GridColor(rawValue: color) == nil {
            throw ValidationError("--color must be one of \(GridColor.allCases.map(\.rawValue).joined(separator: ", ")); got '\(color)'")
        }
        _ = try parseWhere()
        if let ylim { _ = try parseLimits(ylim, "--ylim") }
    }

    func parseLimits(_ text: String, _ option: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo.isFinite, hi.isFinite, lo < hi else {
            throw ValidationError("\(option) must be two finite numbers LO,HI with LO < HI (e.g. 0,500), got '\(text)'")
        }
        return lo...hi
    }

    func parseWhere() throws -> [String: String] {
        var out: [String: String] = [:]
        for item in `where` {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--where takes AXIS=VALUE (e.g. schedule.warmup_steps=0), got '\(item)'") }
            out[parts[0]] = parts[1]
        }
        return out
    }

    func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (100...10000).contains(parts[0]), (100...10000).contains(parts[1]) else {
            throw ValidationError("--size must be WxH with each side 100...10000 pixels, got '\(text)'")
        }
        return (parts[0], parts[1])
    }

    /// The figure is written as SVG (vector) rather than PNG.
    var isSVG: Bool { out.lowercased().hasSuffix(".svg") }

    func parseSteps(_ text: String) throws -> [Int] {
        let steps = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = steps.compactMap { Int($0) }
        guard !values.isEmpty, values.count == steps.count, values.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--at must be steps separated by commas (e.g. 0,100,300), got '\(text)'")
        }
        return values
    }

    func run() throws {
        var options = FigureOptions()
        options.at = try at.map(parseSteps)
        if let size { (options.width, options.height) = try parseSize(size) }
        options.scale = scale
        options.title = title
        options.logX = logx
        options.labels = labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        options.operator = `operator`.flatMap(SpectralOperator.init(rawValue:))
        options.xLimits = try xlim.map { try parseLimits($0, "--xlim") }
        options.yLimits = try ylim.map { try parseLimits($0, "--ylim") }
        options.gridX = x
        options.gridY = y
        options.gridWhere = try parseWhere()
        if let color { options.gridColor = GridColor(rawValue: color)! }
        if let analysis { options.source = .analysis(analysis) } else if source == .recorded { options.source = .recorded }
        // Said plainly before any drawing, as curv-record says it (not as a temporary file that cannot be created).
        let folder = (out as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) || !isFolder.boolValue {
            failAndExit("curv-plot", PlotOutputError(description: "\(out): cannot write the figure: the directory \(folder) does not exist"))
        }
        let drawn: DrawnFigure
        do {
            drawn = try FigureBuilder.draw(FigureKind(rawValue: figure)!, runs: runs, options: options)
            if isSVG { try drawn.figure.writeSVG(to: out) } else { try drawn.figure.writePNG(to: out) }
        } catch {
            failAndExit("curv-plot", error)
        }
        guard !quiet else { return }
        for s in drawn.sources { print(s.summary) }
        print(out)
    }
}

/// An output path curv-plot cannot write to.
struct PlotOutputError: Error, CustomStringConvertible {
    let description: String
}

curv_keep_freed_memory()
CurvPlot.mainWithToolErrors()

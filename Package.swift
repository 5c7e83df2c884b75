// swift-tools-version:6.0
// Curvature: record training runs, analyze Hessian spectra offline, draw figures.
// Layers (dependencies point down): executables > Training > Models/Spectral/Plot > Autodiff/Raster > Tensor/MessagePassing > C wrappers.
import PackageDescription

let package = Package(
    name: "Curvature",
    products: [
        .library(name: "Curvature", targets: ["Tensor", "MessagePassing", "Autodiff", "Models", "Spectral", "Training", "RunStore", "Raster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // MARK: C wrappers (the only code that touches C libraries)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .target(name: "CPNG", path: "Sources/CPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CKernels", path: "Sources/CKernels",
                linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),
        .target(name: "CAllocator", path: "Sources/CAllocator"),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        // MARK: Processes (one, or an MPI job's ranks)
        .target(name: "MessagePassing", dependencies: ["CMPI"]),

        // MARK: Storage
        .target(name: "RunStore", dependencies: ["CHDF5"]),

        // MARK: Core
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Autodiff", dependencies: ["Tensor"]),
        .target(name: "Raster", dependencies: ["CPNG"], exclude: ["Font/DejaVuSans-LICENSE.txt"]),

        // MARK: Domain
        .target(name: "Models", dependencies: ["Autodiff", "MessagePassing", "Tensor"]),
        .target(name: "Spectral", dependencies: ["CBLAS", "CLAPACKE", "Tensor"]),
        .target(name: "Plot", dependencies: ["Raster"]),

        // MARK: Workflows
        .target(name: "Training", dependencies: [
            "MessagePassing", "Models", "Spectral", "Autodiff", "Tensor", "RunStore", "CZlib",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        .target(name: "Analysis", dependencies: ["Training", "MessagePassing", "Models", "RunStore", "Spectral", "Tensor"]),
        .target(name: "Sweep", dependencies: ["MessagePassing", "Training", "RunStore"]),
        .target(name: "Figures", dependencies: ["Models", "Plot", "Raster", "RunStore", "Spectral", "Sweep", "Training"]),

        // MARK: Executables
        .target(name: "ToolSupport", dependencies: ["MessagePassing", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "curv-bench", dependencies: ["CAllocator", "Analysis", "MessagePassing", "RunStore", "Training", "Models", "Spectral", "Tensor"]),
        .executableTarget(name: "curv-record", dependencies: [
            "CAllocator", "MessagePassing", "ToolSupport", "RunStore", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "curv-density", dependencies: [
            "CAllocator", "MessagePassing", "ToolSupport", "Analysis", "RunStore", "Spectral", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "curv-plot", dependencies: [
            "CAllocator", "ToolSupport", "Figures", "RunStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "curv-sweep", dependencies: [
            "CAllocator", "MessagePassing", "ToolSupport", "RunStore", "Sweep", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "curv-import", dependencies: [
            "CAllocator", "MessagePassing", "ToolSupport", "RunStore", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "curv-bench-store", dependencies: ["RunStore"]),
        .executableTarget(name: "curv-store-crash-writer", dependencies: ["RunStore"]),
        .executableTarget(name: "curv-inspect", dependencies: [
            "RunStore", "Training", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Benchmarks
        .executableTarget(name: "curv-raster-bench", dependencies: ["CAllocator", "Raster"]),

        // MARK: Fuzzing (libFuzzer entry points of the readers; scripts/fuzz builds them with sanitizers)
        .target(name: "CurvatureFuzz", dependencies: ["Analysis", "Figures", "Models", "Spectral", "Training", "RunStore", "CHDF5", "Raster"],
                path: "fuzz/Harness"),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Tensor", "Autodiff", "Raster", "RunStore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Tensor", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Autodiff", "Tensor", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Training", "Models", "RunStore", "Spectral", "Tensor", "CHDF5"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "Raster", "TestSupport"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Analysis", "Plot", "RunStore", "Spectral", "Sweep", "Training", "TestSupport", "curv-plot"]),
        .testTarget(name: "RasterTests", dependencies: ["Raster", "TestSupport"]),
        .testTarget(name: "CHDF5Tests", dependencies: ["CHDF5"]),
        .testTarget(name: "SpectralTests", dependencies: ["Spectral", "Training", "Models", "Tensor", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Tensor", "RunStore"]),
        .testTarget(name: "ToolTests", dependencies: ["RunStore", "TestSupport", "curv-record", "curv-import", "curv-density", "curv-plot", "curv-inspect", "curv-bench", "curv-sweep", "Sweep"]),
        .testTarget(name: "CurvatureFuzzTests", dependencies: ["CurvatureFuzz", "RunStore"]),
        .testTarget(name: "MPITests", dependencies: ["RunStore", "TestSupport", "curv-record", "curv-density", "curv-sweep", "curv-inspect"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore", "CHDF5", "curv-store-crash-writer", "curv-inspect", "curv-record", "curv-density"]),
    ],
    swiftLanguageModes: [.v5]
)

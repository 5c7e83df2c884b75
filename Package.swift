// swift-tools-version:6.0
// Curvature: record training runs, analyze Hessian spectra offline, draw figures.
// Layers (dependencies point down): executables > Training > Models/Spectral/Plot > Autodiff/Raster > Tensor > C wrappers.
import PackageDescription

let package = Package(
    name: "Curvature",
    products: [
        .library(name: "Curvature", targets: ["Tensor", "Autodiff", "Models", "Raster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C wrappers (the only code that touches C libraries)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .target(name: "CPNG", path: "Sources/CPNG", linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "CKernels", path: "Sources/CKernels",
                linkerSettings: [.linkedLibrary("mvec"), .linkedLibrary("m")]),

        // MARK: Core
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Autodiff", dependencies: ["Tensor"]),
        .target(name: "Raster", dependencies: ["CPNG"], exclude: ["Font/DejaVuSans-LICENSE.txt"]),

        // MARK: Domain
        .target(name: "Models", dependencies: ["Autodiff", "Tensor"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "Tensor", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Autodiff", "Tensor", "TestSupport"]),
        .testTarget(name: "RasterTests", dependencies: ["Raster"]),
        .testTarget(name: "CHDF5Tests", dependencies: ["CHDF5"]),
    ],
    swiftLanguageModes: [.v5]
)

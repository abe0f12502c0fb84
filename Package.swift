// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A benchmark-only build that runs NeuralKit's matrix products through OpenBLAS's sgemm
/// (`FAIRFLOW_BENCH_OPENBLAS=1 swift build …`, used by Benchmarks/neural): the product never links
/// OpenBLAS, whose results depend on the CPU's kernel and thread count.
let benchOpenBLAS = Context.environment["FAIRFLOW_BENCH_OPENBLAS"] == "1"

let package = Package(
  name: "fairflow",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "fairflow", targets: ["fairflow"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
  ],
  targets: [
    // The base every library stands on: errors and exit status, `Value`, SHA-256 digests, the
    // monotonic clock, the seeded generator, "did you mean" suggestions, the version. No YAML.
    .target(
      name: "FairflowBase",
      dependencies: [.product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strict),
    // Pure logic: pipeline spec, expansion, graph, fingerprints, staleness, scheduler state machine.
    .target(
      name: "FairflowCore",
      dependencies: [
        "FairflowBase",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strict),
    // On-disk state: object store, run cache, stat cache, lock files, workspace lock, hashing.
    .target(
      name: "FairflowStore",
      dependencies: [
        "FairflowCore", .product(name: "Crypto", package: "swift-crypto"), "FairflowBase",
      ],
      swiftSettings: strict),
    // Drives a run: local executor (child processes), scheduler driver, status, dag rendering.
    .target(
      name: "FairflowEngine",
      dependencies: ["FairflowCore", "FairflowStore", "FairflowBase"],
      swiftSettings: strict),
    // libgit2, wrapped once: CGit2 is the C module, FairflowGit the small Swift API over it.
    .systemLibrary(
      name: "CGit2", pkgConfig: "libgit2",
      providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
    .target(
      name: "FairflowGit", dependencies: ["CGit2", "FairflowBase"], swiftSettings: strict),
    // HDF5: CHDF5 is the C module (type/property constants exported by shim functions), HDF5 the
    // small safe Swift API over it.
    .systemLibrary(
      name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
    .target(name: "HDF5", dependencies: ["CHDF5", "FairflowBase"], swiftSettings: strict),
    // Native reader for CERN ROOT files (TFile, TDirectory, TTree, flat and jagged branches).
    .systemLibrary(
      name: "CCompression",
      providers: [
        .apt(["zlib1g-dev", "liblz4-dev", "libzstd-dev", "liblzma-dev", "libxxhash-dev"])
      ]
    ),
    // The codecs, wrapped once: CCompression is the C module (only Compression imports it),
    // Compression the small typed API (inflate, xz, LZ4 blocks, zstd, XXH64, Adler-32).
    .target(name: "Compression", dependencies: ["CCompression"], swiftSettings: strict),
    .target(name: "ROOTIO", dependencies: ["Compression", "FairflowBase"], swiftSettings: strict),
    // NeuralKit: Float32 tensors, reverse-mode autodiff, data-parallel training, layers,
    // optimizers, the reference models, safetensors — reproducible to the bit on any CPU.
    // CKernels: the deterministic math (matrix product with a fixed accumulation order on every
    // SIMD width and CPU, own exp/log/tanh/sigmoid). OpenBLAS is linked only into a
    // benchmark-only build (FAIRFLOW_BENCH_OPENBLAS=1) that measures the kernels against it.
    // Optimised in debug builds too (the tests train models): -O2 does not change a bit here
    // (no fast-math; contraction is off in the sources).
    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .target(
      name: "NeuralKit",
      dependencies: ["CKernels", "FairflowBase"] + (benchOpenBLAS ? ["COpenBLAS"] : []),
      swiftSettings: strict + (benchOpenBLAS ? [.define("FAIRFLOW_OPENBLAS")] : [])),
    // Import of published models: PyTorch checkpoints (safe pickle subset, zip and legacy),
    // safetensors, ONNX initialisers → native models; an ONNX graph interpreter (sgemm kernels).
    .target(
      name: "ModelImport",
      dependencies: ["NeuralKit", "Compression", "FairflowBase"],
      swiftSettings: strict),
    // Metrics: ROC/AUC (scikit-learn semantics), accuracy, fidelity, distance statistics.
    .target(name: "Metrics", swiftSettings: strict),
    // Plots: standalone SVG charts (ROC, bars, histograms, training curves).
    .target(name: "Plots", swiftSettings: strict),
    // Fetch by DOI: resolvers (doi.org handles, Zenodo, Figshare, Dataverse, CERN Open Data,
    // DataCite, BagIt/minid), checksummed resumable downloads over an injectable HTTP transport.
    .target(
      name: "Fetch",
      dependencies: [
        "FairflowBase", "Compression",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strict),
    // Publish: DataCite JSON, CITATION.cff, RO-Crate, model card, BagIt bag, FAIR self-assessment,
    // deposit to a Zenodo-compatible API.
    .target(
      name: "Publish",
      dependencies: ["Fetch", "FairflowBase", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: strict),
    // `fairflow serve`: model directories over HTTP (KServe v2 / Open Inference Protocol),
    // dynamic batching, bounded requests, Prometheus metrics, an access log; SwiftNIO.
    .target(
      name: "Serve",
      dependencies: [
        "FairflowBase", "ModelImport", "NeuralKit",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strict),
    // A loopback HTTP server for tests that imitates repository APIs (request log, fault injection).
    .target(
      name: "MockHTTPServer",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strict),
    // Built-in stage kinds (`uses: KIND`), one target per domain under Sources/Stages: each kind
    // is a typed configuration (decoded once, errors at file:line:column) plus a run function.
    // StageSupport: what every kind shares (StageError, StageConfiguration, TypedStage).
    .target(
      name: "StageSupport", dependencies: ["FairflowBase", "FairflowCore", "FairflowEngine"],
      path: "Sources/Stages/Support", swiftSettings: strict),
    // Data stages: generate (synthetic studies), convert (ROOT/HDF5 → training tensors).
    .target(
      name: "DataStages",
      dependencies: [
        "StageSupport", "FairflowBase", "FairflowCore", "FairflowEngine", "FairflowStore",
        "ROOTIO", "HDF5", "NeuralKit",
      ],
      path: "Sources/Stages/Data", swiftSettings: strict),
    // Model stages: train, export, import, evaluate (+ gates), interpret, compare, consistency,
    // aggregate.
    .target(
      name: "ModelStages",
      dependencies: [
        "StageSupport", "FairflowBase", "FairflowCore", "FairflowEngine", "FairflowStore", "HDF5",
        "NeuralKit", "ModelImport", "Metrics", "Plots",
      ],
      path: "Sources/Stages/Model", swiftSettings: strict),
    // FAIR stages: fetch (data by DOI), publish (FAIR metadata, bag, deposit).
    .target(
      name: "FAIRStages",
      dependencies: [
        "StageSupport", "FairflowBase", "FairflowCore", "FairflowEngine", "FairflowStore",
        "Fetch", "Publish", "FairflowProvenance",
      ],
      path: "Sources/Stages/FAIR", swiftSettings: strict),
    // The registry of this build's kinds (what `fairflow exec-stage` and the loader see).
    .target(
      name: "FairflowStages",
      dependencies: ["FairflowCore", "DataStages", "ModelStages", "FAIRStages"],
      path: "Sources/Stages/Registry", swiftSettings: strict),
    // Provenance: records, the git-backed store and recorder, trace/verify, PROV/RO-Crate export.
    .target(
      name: "FairflowProvenance",
      dependencies: [
        "FairflowCore", "FairflowStore", "FairflowEngine", "FairflowGit",
        .product(name: "Crypto", package: "swift-crypto"), "FairflowBase",
      ],
      swiftSettings: strict),
    // Remotes: `push`/`pull` of objects and run-cache entries (directory, WebDAV), `run --pull`.
    .target(
      name: "FairflowRemote",
      dependencies: ["FairflowBase", "FairflowCore", "FairflowStore", "FairflowEngine", "Fetch"],
      swiftSettings: strict),
    // `fairflow report`'s self-contained HTML page (graph, stages, metrics, gates, charts).
    .target(
      name: "FairflowReport",
      dependencies: [
        "FairflowBase", "FairflowCore", "FairflowEngine", "FairflowStore", "FairflowProvenance",
        "ModelStages", "Plots",
      ],
      swiftSettings: strict),
    // `fairflow init`'s project templates: pipeline, citation, licences, CI, docs; the writer.
    .target(
      name: "ProjectTemplates", dependencies: ["FairflowBase", "FairflowCore", "FairflowStore"],
      swiftSettings: strict),
    // Command-line front end: parses, calls the engine, renders, maps exit codes.
    .target(
      name: "FairflowCLI",
      dependencies: [
        "FairflowCore", "FairflowStore", "FairflowEngine", "FairflowProvenance", "FairflowGit",
        "ROOTIO", "FairflowStages",
        .product(name: "ArgumentParser", package: "swift-argument-parser"), "FAIRStages",
        "FairflowBase", "Fetch", "ProjectTemplates", "ModelImport", "ModelStages",
        "FairflowReport", "FairflowRemote", "Serve",
      ],
      swiftSettings: strict),
    .executableTarget(name: "fairflow", dependencies: ["FairflowCLI"], swiftSettings: strict),
    // Timing harnesses for Benchmarks/neural and Benchmarks/metrics (not part of the product).
    .executableTarget(
      name: "MetricsBenchmark", dependencies: ["Metrics"], path: "Benchmarks/MetricsBenchmark",
      swiftSettings: strict),
    .executableTarget(
      name: "NeuralBenchmark", dependencies: ["NeuralKit", "ModelImport", "FairflowBase"],
      path: "Benchmarks/NeuralBenchmark",
      swiftSettings: strict),
    // Shared test support: fixtures, fake executor, temp workspaces.
    .target(
      name: "FairflowTesting", dependencies: ["FairflowBase", "FairflowCore"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowBaseTests", dependencies: ["FairflowBase", "FairflowTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowCoreTests", dependencies: ["FairflowCore", "FairflowTesting", "FairflowBase"],
      exclude: ["Fixtures"], swiftSettings: strict),
    .testTarget(
      name: "FairflowStoreTests",
      dependencies: ["FairflowStore", "FairflowTesting", "FairflowBase", "FairflowCore"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowEngineTests",
      dependencies: [
        "FairflowEngine", "FairflowTesting", "FairflowBase", "FairflowCore", "FairflowStore",
      ], swiftSettings: strict),
    .testTarget(
      name: "FairflowRemoteTests",
      dependencies: [
        "FairflowRemote", "FairflowTesting", "FairflowBase", "FairflowCore", "FairflowStore",
      ], swiftSettings: strict),
    .testTarget(
      name: "HDF5Tests", dependencies: ["HDF5", "FairflowTesting", "FairflowBase", "FairflowCore"],
      swiftSettings: strict),
    .testTarget(
      name: "CompressionTests", dependencies: ["Compression", "FairflowBase", "FairflowTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "ROOTIOTests",
      dependencies: ["ROOTIO", "FairflowTesting", "FairflowBase", "FairflowCore"],
      exclude: ["Peers"], swiftSettings: strict),
    .testTarget(
      name: "FairflowStagesTests",
      dependencies: ["FairflowStages", "FairflowCore", "FairflowEngine"],
      swiftSettings: strict),
    .testTarget(
      name: "DataStagesTests",
      dependencies: [
        "DataStages", "StageSupport", "FairflowCore", "ROOTIO", "FairflowBase", "FairflowEngine",
        "FairflowTesting", "HDF5",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "FAIRStagesTests",
      dependencies: [
        "FAIRStages", "FairflowBase", "FairflowCore", "FairflowTesting", "Fetch", "MockHTTPServer",
        "Publish",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "ModelStagesTests",
      dependencies: [
        "ModelStages", "FairflowBase", "FairflowCore", "FairflowEngine", "HDF5",
        "NeuralKit", "FairflowTesting", "Metrics",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "NeuralKitTests",
      dependencies: ["NeuralKit", "FairflowTesting", "FairflowBase", "FairflowCore"],
      swiftSettings: strict),
    .testTarget(
      name: "ModelImportTests",
      dependencies: ["ModelImport", "NeuralKit", "FairflowTesting", "FairflowBase"],
      exclude: ["Peers"], swiftSettings: strict),
    .testTarget(
      name: "MetricsTests", dependencies: ["Metrics", "FairflowTesting", "FairflowBase"],
      swiftSettings: strict),
    .testTarget(name: "PlotsTests", dependencies: ["Plots"], swiftSettings: strict),
    .testTarget(
      name: "FairflowReportTests",
      dependencies: ["FairflowReport", "FairflowCore", "FairflowBase"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowGitTests", dependencies: ["FairflowGit", "FairflowTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowProvenanceTests",
      dependencies: [
        "FairflowProvenance", "FairflowEngine", "FairflowGit", "FairflowTesting", "FairflowBase",
        "FairflowCore", "FairflowStore",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "ServeTests",
      dependencies: ["Serve", "ModelImport", "NeuralKit", "FairflowBase"],
      swiftSettings: strict),
    .testTarget(
      name: "FetchTests", dependencies: ["Fetch", "MockHTTPServer", "FairflowTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "PublishTests",
      dependencies: ["Publish", "Fetch", "MockHTTPServer", "FairflowTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "FairflowCLITests",
      dependencies: [
        "FairflowCLI", "FairflowTesting", "MockHTTPServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"), "FairflowBase", "Fetch",
        "ProjectTemplates",
      ],
      exclude: ["Snapshots", "Peers", "Hostile"],
      swiftSettings: strict),
    // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer,address -DFUZZING);
    // a plain build makes replay drivers that run the committed corpora (Fuzz/Corpus).
    .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: strict),
    .executableTarget(
      name: "FuzzROOTReader", dependencies: ["ROOTIO", "FuzzSupport"],
      path: "Fuzz/FuzzROOTReader", swiftSettings: strict),
    .executableTarget(
      name: "FuzzPipelineLoader", dependencies: ["FairflowCore", "FuzzSupport"],
      path: "Fuzz/FuzzPipelineLoader", swiftSettings: strict),
    .executableTarget(
      name: "FuzzBagIt", dependencies: ["Fetch", "FuzzSupport"], path: "Fuzz/FuzzBagIt",
      swiftSettings: strict),
  ]
)

/// The starting pipelines of `fairflow init`: built-in stages only (no Python), sized to run cold
/// in seconds on two cores, each ending in an evaluate stage with regression gates and a publish
/// dry run. Shapes follow `pipelines/hbb-quick.yaml` and `pipelines/braggnn-quick.yaml`.
package enum InitTemplate: String, CaseIterable, Sendable {
  case classifier
  case regression

  package static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// What the project's model does, for the README and the model card.
  package var task: String {
    switch self {
    case .classifier: "binary classification of jets (H→bb against QCD) with an interaction network"
    case .regression: "sub-pixel Bragg peak positions in 11×11 detector patches with BraggNN"
    }
  }

  /// The model directory `train` writes (and evaluate, export and publish read).
  package var model: String {
    switch self {
    case .classifier: "models/classifier"
    case .regression: "models/regressor"
    }
  }

  package var keywords: [String] {
    switch self {
    case .classifier: ["jet tagging", "graph neural network", "FAIR"]
    case .regression: ["Bragg peak", "X-ray diffraction", "FAIR"]
    }
  }

  /// `pipelines/main.yaml`.
  package func pipeline(_ project: InitProject) -> String {
    header(project.name) + "pipeline: main\n" + body + publish(project)
  }

  private func header(_ name: String) -> String {
    let flow =
      switch self {
      case .classifier:
        """
        # generate (synthetic H→bb and QCD jets in the CMS ntuple schema) → convert (training-ready
        # HDF5) → train (interaction network) → export (ONNX) → evaluate (AUC and accuracy gates,
        # `fairflow check`) → publish (a FAIR bundle; a dry run until you add `deposit`).
        """
      case .regression:
        """
        # generate (synthetic Bragg peaks) → split → train (BraggNN) → export (ONNX) → evaluate
        # (peak error in pixels, gated on its 95th percentile, `fairflow check`; the centre-of-mass
        # estimate is reported beside it) → publish (a FAIR bundle; a dry run until you add
        # `deposit`).
        """
      }
    return """
      # \(name): made by `fairflow init --template \(rawValue)`.
      \(flow)
      # Sized to run cold in seconds; raise the params (or `-p epochs=20`) for a real study, and
      # replace `generate` with `uses: fetch` (a DOI) for published data. Add your own script
      # stages as `cmd:` (see stages/README.md).

      """
  }

  private var body: String {
    switch self {
    case .classifier:
      """
      params:
        jets: 2000      # synthetic jets (pipelines/hbb-quick.yaml in fairflow uses 12000)
        seed: 1
        epochs: 2
        tracks: 10      # track slots kept per jet (the FAIR H→bb paper uses 60)
      stages:
        generate:
          uses: generate
          outs: [data/raw]
          with:
            kind: hbb-jets
            count: "${params.jets}"
            seed: "${params.seed}"
            output: data/raw/jets.h5
        convert:
          uses: convert
          deps: [data/raw]
          outs: [data/features]
          with:
            format: raw-hdf5
            inputs: [data/raw]
            collections:
              tracks:
                branches: [track_ptrel, track_erel, track_deltaR, track_dxysig, track_dzsig,
                           trackBTag_Sip2dSig, trackBTag_Sip3dSig, trackBTag_JetDistVal]
                max: "${params.tracks}"
                sort_by: trackBTag_Sip2dSig
                layout: feature-major
              vertices:
                branches: [sv_ptrel, sv_erel, sv_pt, sv_mass, sv_ntracks, sv_dxysig, sv_d3dsig]
                max: 5
                sort_by: sv_pt
                layout: feature-major
            labels: [fj_isQCD, fj_isH]
            select: "fj_pt > 300 and fj_pt < 2000 and fj_sdmass > 40 and fj_sdmass < 200"
            split: {fractions: {train: 0.7, validation: 0.15, test: 0.15}, seed: "${params.seed}"}
            output: data/features
        train:
          uses: train
          deps: [data/features]
          outs: [models/classifier]
          metrics: [metrics/train.json]
          with:
            model: interaction-network
            train: data/features/train.h5
            validation: data/features/validation.h5
            epochs: "${params.epochs}"
            batch_size: 128
            learning_rate: 0.001
            seed: "${params.seed}"
            output: models/classifier
            metrics: metrics/train.json
        export:
          uses: export
          deps: [models/classifier]
          outs: [models/classifier.onnx]
          with: {model: models/classifier, output: models/classifier.onnx, softmax: true}
        evaluate:
          uses: evaluate
          deps: [models/classifier, data/features/test.h5]
          outs: [report/evaluate]
          metrics: [metrics/evaluate.json]
          with:
            model: models/classifier
            data: data/features/test.h5
            output: metrics/evaluate.json
            plots: report/evaluate
            # The regression gate: `fairflow check` exits 1 when a metric leaves its bounds;
            # `max_drop` compares with the metrics committed at `fairflow check --rev REV`.
            gates: {auc: {min: 0.85, max_drop: 0.02}, accuracy: {min: 0.8}}

      """
    case .regression:
      """
      params:
        patches: 1200   # synthetic 11×11 patches (fairflow's pipelines/braggnn-quick.yaml: 6000)
        seed: 1
        epochs: 3
      stages:
        generate:
          uses: generate
          outs: [data/raw]
          with:
            kind: bragg-peaks
            count: "${params.patches}"
            seed: "${params.seed}"
            output: data/raw/peaks.h5
        split:
          uses: convert
          deps: [data/raw]
          outs: [data/patches]
          with:
            inputs: [data/raw]
            datasets: {patch: patch, ploc: ploc}
            split: {fractions: {train: 0.8, validation: 0.1, test: 0.1}, seed: "${params.seed}"}
            output: data/patches
        train:
          uses: train
          deps: [data/patches]
          outs: [models/regressor]
          metrics: [metrics/train.json]
          with:
            model: braggnn
            train: data/patches/train.h5
            validation: data/patches/validation.h5
            epochs: "${params.epochs}"
            batch_size: 64
            learning_rate: 0.003
            seed: "${params.seed}"
            output: models/regressor
            metrics: metrics/train.json
        export:
          uses: export
          deps: [models/regressor]
          outs: [models/regressor.onnx]
          with: {model: models/regressor, output: models/regressor.onnx}
        evaluate:
          uses: evaluate
          deps: [models/regressor, data/patches/test.h5]
          outs: [report/evaluate]
          metrics: [metrics/evaluate.json]
          with:
            model: models/regressor
            data: data/patches/test.h5
            output: metrics/evaluate.json
            plots: report/evaluate
            # The regression gate: `fairflow check` exits 1 when the error leaves its bound;
            # `max_rise` compares with the metrics committed at `fairflow check --rev REV`.
            gates: {distance_p95: {max: 2.5, max_rise: 0.25}}

      """
    }
  }

  private func publish(_ project: InitProject) -> String {
    let q = InitProject.quoted
    let keywords = keywords.map(q).joined(separator: ", ")
    let name = model.split(separator: "/").last.map(String.init) ?? rawValue
    return """
        publish:
          uses: publish
          deps: [\(model), metrics/evaluate.json]
          outs: [publication/\(name)]
          with:
            model: \(model)
            metrics: metrics/evaluate.json
            output: publication/\(name)
            title: \(q(project.name))
            description: \(q("A model for \(task), trained and evaluated by fairflow."))
            creators: [\(project.author.yamlFlow)]
            license: \(project.license.rawValue)
            version: 0.1.0
            keywords: [\(keywords)]
            task: \(q(task))
            intended_use: "A starting point: replace the synthetic data with the real study."
            limitations: "Trained for a few epochs on synthetic data; not a physics result."
            # deposit: {url: https://zenodo.org, token_env: ZENODO_TOKEN}   # to publish for real

      """
  }
}

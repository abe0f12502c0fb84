/// The prose files of a project made by `fairflow init`: README, `stages/README.md`,
/// `.gitignore` and the CI workflow.
package enum InitDocuments {
  package static func readme(_ project: InitProject) -> String {
    """
    # \(project.name)

    A FAIR machine-learning project: \(project.template.task). Every step is a stage of
    [`pipelines/main.yaml`](pipelines/main.yaml), run by fairflow: each stage is fingerprinted
    by the content of its inputs, its outputs are cached by digest, and every run records its
    provenance in git (`refs/fairflow/provenance`), so every number can be traced back to the
    data, the parameters and the code commit that made it.

    ## Two commands

    ```sh
    fairflow run      # run what is stale: generate → … → evaluate → publish (a dry run)
    fairflow check    # the regression gate: exit 1 when a metric leaves its bounds
    ```

    The first run takes seconds; a second one does nothing. `fairflow status` says why anything
    is stale, `fairflow report --out report.html` writes one page with the metrics, the charts
    and the provenance, and `fairflow prov trace metrics/evaluate.json` shows where a number came
    from.

    ## Layout

    | path | what |
    |---|---|
    | `pipelines/main.yaml` | the stages, their parameters and the evaluate stage's gates |
    | `pipelines/main.lock` | recorded state of every stage (written by `fairflow run`; commit it) |
    | `stages/` | your own scripts, added as `cmd:` stages ([stages/README.md](stages/README.md)) |
    | `metrics/` | metrics files (commit them: `fairflow check --rev main` compares with them) |
    | `publication/` | the FAIR bundle: DataCite, CITATION.cff, RO-Crate, model card, provenance |
    | `cache/` | fairflow's content-addressed store and logs (not committed) |
    | `.github/workflows/fairflow.yml` | CI: `fairflow run`, then `fairflow check` (a summary table, a JUnit report) |

    ## Citing and licence

    Cite this work with the metadata in [CITATION.cff](CITATION.cff). Licensed under
    \(project.license.id) ([LICENSE](LICENSE)).

    """
  }

  package static func stagesReadme(_ project: InitProject) -> String {
    """
    # Your own stages

    Any program can be a stage. Put the script here, then add it to `pipelines/main.yaml` with
    a `cmd:` and declare what it reads (`deps`), writes (`outs`), reports (`metrics`) and which
    parameters it uses (`params`): fairflow reruns it exactly when one of them changes, and
    restores its outputs from the cache otherwise.

    For example, a PyTorch training script in place of the built-in `train` stage:

    ```yaml
    params:
      epochs: 20
      lr: 0.001
    stages:
      train-torch:
        cmd: >-
          python3 stages/train.py --data data/features --epochs ${params.epochs}
          --lr ${params.lr} --out ${outs} --metrics ${metrics}
        deps: [stages/train.py, data/features]      # the script itself is a dependency
        outs: [models/torch]
        metrics: [metrics/train-torch.json]           # a JSON object of numbers
        env: {PYTHONHASHSEED: "0"}
        resources: {cpus: 2, gpus: 0}
    ```

    - `cmd` runs with `/bin/sh -c` in the project root; `${deps}`, `${outs}` and `${metrics}`
      expand to the declared paths (shell-quoted), `${params.x}` to a parameter.
    - Declare every file the script reads in `deps`, or a change to it will not rerun the stage.
    - Write only the declared outputs. Seed every random generator from a parameter, so a rerun
      gives the same bytes and the cache stays valid.
    - A script that reads parameters itself (not through `${params.x}` in `cmd`) lists their
      names in `params: [lr, epochs]`, so changing one reruns it.
    - Record the Python packages the script needs (`requirements.txt`) and add it to `deps`.

    `fairflow validate` checks the pipeline without running anything, `fairflow dag` draws it,
    and `fairflow run --stage train-torch` runs one stage (and what it needs).

    The built-in stages of this project (\(project.template.rawValue) template) need no Python:
    see `fairflow --help` and the fairflow documentation of `generate`, `convert`, `train`,
    `export`, `evaluate`, `interpret`, `fetch` and `publish`.

    """
  }

  package static let gitignore = """
    # fairflow's content-addressed store, run cache, state and logs (restored by `fairflow run`)
    /cache/*
    # outputs: reproducible from pipelines/main.yaml and recorded in pipelines/main.lock
    /data/
    /models/
    /report/
    /publication/
    # build products (a fairflow checkout built by CI, Swift packages)
    .build/
    .fairflow/
    # the gates as JUnit XML, written by CI's `fairflow check --junit`
    /fairflow-gates.xml

    """

  /// GitHub Actions: build fairflow, run the pipeline, gate the metrics. On a pull request the
  /// gate also compares with the metrics committed on the target branch. The gates are written
  /// as JUnit XML (uploaded as the `fairflow-gates` artifact, also when the gate fails) and as a
  /// Markdown table on the job's summary page; neither needs a token or a third-party action.
  /// Results are shared (docs/remotes.md): provenance travels on `refs/fairflow/provenance`
  /// (fetched first, pushed back on a push to the repository), and when fairflow.yaml names a
  /// remote, the job pulls what others computed and pushes what it computed.
  package static let workflow = """
    # Reproduce the pipeline and fail on a metric regression (made by `fairflow init`).
    name: fairflow
    on:
      push:
      pull_request:
    jobs:
      reproduce:
        runs-on: ubuntu-latest
        container: swift:6.1-bookworm
        permissions:
          contents: write   # pushes refs/fairflow/provenance back
        env:
          # Where CI builds fairflow from: point these at your fairflow repository and a tag.
          FAIRFLOW_REPOSITORY: https://github.com/YOUR-ORG/fairflow.git
          FAIRFLOW_REF: main
          # A WebDAV remote named `team` in fairflow.yaml reads its token from this secret
          # (`fairflow remote add team https://…`; docs/remotes.md).
          FAIRFLOW_REMOTE_TEAM_TOKEN: ${{ secrets.FAIRFLOW_REMOTE_TEAM_TOKEN }}
        steps:
          - uses: actions/checkout@v4
            with:
              fetch-depth: 0   # `fairflow check --rev` reads the target branch's metrics
          - name: System libraries
            run: |
              apt-get update -qq
              apt-get install -y -qq --no-install-recommends git pkg-config libgit2-dev \\
                libhdf5-dev zlib1g-dev liblz4-dev libzstd-dev liblzma-dev libxxhash-dev
              git config --global --add safe.directory "$GITHUB_WORKSPACE"
          - name: Restore fairflow and its cache
            uses: actions/cache@v4
            with:
              path: |
                .fairflow
                cache/objects
                cache/runs
              key: fairflow-${{ env.FAIRFLOW_REF }}-${{ hashFiles('pipelines/*.lock') }}
              restore-keys: fairflow-${{ env.FAIRFLOW_REF }}-
          - name: Build fairflow
            run: |
              [ -d .fairflow ] || git clone --depth 1 --branch "$FAIRFLOW_REF" \\
                "$FAIRFLOW_REPOSITORY" .fairflow
              swift build -c release --package-path .fairflow --product fairflow
              echo "$PWD/.fairflow/.build/release" >> "$GITHUB_PATH"
          - name: Earlier results
            # Provenance of earlier runs, then what a colleague or an earlier job computed
            # (a pull that finds nothing only means more to run).
            run: |
              git fetch origin '+refs/fairflow/provenance:refs/fairflow/provenance' || true
              if [ -f fairflow.yaml ]; then fairflow pull || true; fi
          - name: fairflow run
            run: fairflow run
          - name: Share the results
            if: ${{ github.event_name == 'push' }}
            run: |
              if [ -f fairflow.yaml ]; then fairflow push; fi
              git push origin refs/fairflow/provenance
          - name: fairflow check
            # The gates also go to a JUnit file (test reports) and the job's summary page.
            run: |
              if [ -n "${GITHUB_BASE_REF:-}" ]; then
                fairflow check --rev "origin/$GITHUB_BASE_REF" \\
                  --junit fairflow-gates.xml --markdown "$GITHUB_STEP_SUMMARY"
              else
                fairflow check --junit fairflow-gates.xml --markdown "$GITHUB_STEP_SUMMARY"
              fi
          - name: Upload the gate report
            if: ${{ !cancelled() }}
            uses: actions/upload-artifact@v4
            with:
              name: fairflow-gates
              path: fairflow-gates.xml
              if-no-files-found: ignore

    """
}

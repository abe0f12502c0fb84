/// The report's one stylesheet, inline (the page loads nothing). On screen: a readable column,
/// tables with right-aligned tabular numbers, charts two to a row that shrink with the window.
/// In print: each section starts a page (the summary shares the first with the title), charts
/// and figures never split or overflow the page (SVGs scale to the width), table headers repeat.
enum ReportStyle {
  static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
    max-width:1140px;margin:1.2em auto;padding:0 1.2em;color:#222;line-height:1.45}
    h1{margin:.2em 0 0;font-size:1.9em}h2{font-size:1.4em;margin:.1em 0 .6em}
    h3{font-size:1.1em;margin:1.4em 0 .4em}h4{font-size:1em;margin:1em 0 .3em}
    .subtitle{color:#555;margin:.2em 0 .8em}
    nav{font-size:14px;margin:.4em 0 1em}nav a{margin-right:1em;color:#1f5fa8;text-decoration:none}
    section{margin:1.6em 0;padding-top:.6em;border-top:1px solid #ddd}
    table{border-collapse:collapse;margin:.4em 0 1em;font-size:13px}
    th,td{border:1px solid #d5d8dc;padding:3px 8px;text-align:left;vertical-align:top}
    th{background:#f2f4f7;font-weight:600}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    tr.mean-std td{font-weight:600;background:#f4f6fb;border-top:2px solid #8a94a6}
    td.ok,span.ok{color:#1b5e20;font-weight:600}td.fail,span.fail{color:#b71c1c;font-weight:600}span.unchecked{color:#777}
    .verdict{padding:.6em 1em;border-radius:6px;font-size:1.15em;font-weight:600;margin:.4em 0 1em}
    .verdict.pass{background:#e3f2e1;color:#1b5e20;border:1px solid #2e7d32}
    .verdict.fail{background:#fde2e1;color:#8e1b1b;border:1px solid #c62828}
    .verdict.incomplete{background:#fff3d6;color:#6d4c00;border:1px solid #b7791f}
    .verdict ul{margin:.3em 0 0;font-size:.85em;font-weight:normal}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;margin:.3em 0 1em}
    dl.facts dt{font-weight:600;color:#444}dl.facts dd{margin:0}
    code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em;
    background:#f2f2f2;padding:0 .25em;border-radius:3px}
    .note{color:#555;font-size:13px;margin:.2em 0 1em}
    .reproduced-table{margin-bottom:1.4em}
    .charts{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
    figure{margin:0 0 10px;break-inside:avoid;page-break-inside:avoid}
    .charts figure{flex:0 1 calc(50% - 7px);min-width:300px}
    figure.wide{flex-basis:100%}
    .panels{display:flex;gap:10px}.panels>svg{flex:1 1 0;min-width:0}
    figure svg{width:100%;height:auto;display:block}
    figcaption{font-size:12px;color:#555;margin-top:3px}
    svg.dag{max-width:100%;height:auto;display:block;margin:.4em 0}
    .trace{margin-bottom:1.2em;break-inside:avoid;page-break-inside:avoid}
    .status-stale{color:#8a5a00}.status-failed{color:#b71c1c;font-weight:600}
    .status-never-run{color:#666}
    @media print{
    body{max-width:none;margin:0;padding:0;font-size:10.5pt}
    nav{display:none}
    section{break-before:page;page-break-before:always;border-top:none;margin:0}
    section#summary{break-before:auto;page-break-before:auto}
    figure,svg,.trace,.reproduced-table{break-inside:avoid;page-break-inside:avoid}
    svg{max-width:100% !important;height:auto !important}
    thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
    .charts figure{flex-basis:calc(50% - 7px)}.charts figure.wide{flex-basis:100%}
    a{color:inherit;text-decoration:none}
    }
    """
}

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { projectPath } from '../paths.js';

export interface WebAssets {
  js: string;
  css: string;
  /** Content hash, for ETags and cache-busting asset URLs. */
  version: string;
}

let cached: Promise<WebAssets> | undefined;

/**
 * The on-call page's script and styles, bundled from `client/` with esbuild when first asked
 * for (a few tens of milliseconds), so the project keeps its no-build-step rule.
 */
export function webAssets(): Promise<WebAssets> {
  cached ??= (async () => {
    const out = await build({
      entryPoints: [projectPath('src', 'web', 'client', 'main.ts')],
      bundle: true,
      format: 'iife',
      minify: true,
      target: 'es2020',
      write: false,
      legalComments: 'none',
    });
    const js = out.outputFiles[0]!.text;
    const require = createRequire(import.meta.url);
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') + readFileSync(projectPath('src', 'web', 'client', 'style.css'), 'utf8');
    const version = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);
    return { js, css, version };
  })();
  return cached;
}

/** The one HTML page; the client routes `/` and `/slo/<id>` itself. */
export function pageHtml(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SLOs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css?v=${version}">
</head>
<body>
<header><h1><a href="/" data-link>SLO engine</a></h1><span id="status" class="muted" aria-live="polite">loading…</span><span class="spacer"></span><button type="button" id="zone">times</button><button type="button" id="theme">theme</button></header>
<main id="app" tabindex="-1"></main>
<noscript>This page needs JavaScript; the same data is at <a href="/api/v1/slos">/api/v1/slos</a>.</noscript>
<script src="/assets/app.js?v=${version}" defer></script>
</body>
</html>
`;
}

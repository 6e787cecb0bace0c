// Bundles the console (app/ui) into dist/console: index.html, and under assets/ the script, style and icon
// with a content hash in their names (so the server may let browsers cache them for good), each beside its
// .br and .gz. Part of `npm run build`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ui = dirname(fileURLToPath(import.meta.url));
const out = join(ui, '../../dist/console');
const assets = join(out, 'assets');

rmSync(out, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { console: join(ui, 'main.ts') },
  bundle: true,
  minify: true,
  format: 'esm',
  // Browsers that give JSON.parse's reviver the number's source text: totals are read exactly.
  target: ['chrome114', 'edge114', 'firefox135', 'safari18'],
  entryNames: '[name]-[hash]',
  outdir: assets,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.entries(metafile.outputs);
const [script, { cssBundle }] = outputs.find(([, o]) => o.entryPoint)
  ?? (() => { throw new Error('esbuild wrote no entry point'); })();

const icon = readFileSync(join(ui, 'icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 8)}.svg`;
writeFileSync(join(assets, iconName), icon);

const asset = (file) => `/assets/${basename(file)}`;
const page = readFileSync(join(ui, 'index.html'), 'utf8')
  .replace('{{script}}', asset(script))
  .replace('{{style}}', asset(cssBundle))
  .replaceAll('{{icon}}', asset(iconName));
writeFileSync(join(out, 'index.html'), page);

for (const name of readdirSync(assets).filter((n) => /\.(js|css|svg)$/.test(n))) {
  const data = readFileSync(join(assets, name));
  writeFileSync(join(assets, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(assets, `${name}.gz`), gzipSync(data, { level: 9 }));
}

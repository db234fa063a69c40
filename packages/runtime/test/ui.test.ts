import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  TraceInputError,
  appNodes,
  area,
  findNodes,
  loadTrace,
  loadUiSnapshots,
  nodeLabel,
  readTrace,
  readUiSnapshot,
  screenBounds,
  walk,
  type UiNode,
  type UiSnapshot,
} from '../src/index.js';

const uiDir = fileURLToPath(new URL('./ui/', import.meta.url));
const traces = fileURLToPath(new URL('./traces/', import.meta.url));
const dump = (name: string) => readFileSync(join(uiDir, name), 'utf8');
const snapshotOf = (root: UiNode, extra: Partial<UiSnapshot> = {}): UiSnapshot => ({ id: 's', t: 0, root, ...extra });

test('reads the splash dump: attributes, bounds, flags, and the small skip button in the corner', () => {
  const root = readUiSnapshot(dump('splash-skip.xml'), { id: 'splash', file: 'splash-skip.xml' });
  assert.equal(root.class, 'android.widget.FrameLayout');
  assert.deepEqual(root.bounds, [0, 0, 1080, 2340]);
  assert.equal(root.text, undefined, 'empty text="" is left out');
  assert.equal([...walk(root)].length, 13);
  const [skip] = findNodes(root, (n) => n.resourceId === 'com.example.news:id/splash_skip');
  assert.ok(skip);
  assert.deepEqual(skip, {
    class: 'android.widget.FrameLayout',
    resourceId: 'com.example.news:id/splash_skip',
    packageName: 'com.example.news',
    bounds: [948, 110, 1044, 166],
    clickable: true,
    visible: true,
    checkable: false,
    checked: false,
    enabled: true,
    selected: false,
    scrollable: false,
    longClickable: false,
    children: [skip.children![0]!],
  });
  assert.equal(nodeLabel(skip.children![0]!), '跳过 3');
  const screen = screenBounds(snapshotOf(root))!;
  // The skip button covers well under 1% of the screen: the kind of fact the splash rule measures.
  assert.ok(area(skip.bounds!) / area(screen) < 0.01);
  assert.equal(appNodes(snapshotOf(root, { package: 'com.example.news' })).length, 13);
});

test('reads the pop-up ad dump: several windows under one root, entities decoded, system UI told apart', () => {
  const root = readUiSnapshot(dump('popup-ad.xml'), { id: 'popup', file: 'popup-ad.xml' });
  assert.equal(root.class, undefined, 'a synthetic root above the three windows');
  assert.equal(root.children?.length, 3);
  assert.deepEqual(root.bounds, [0, 0, 1080, 2340]);
  assert.equal(findNodes(root, (n) => n.text === '限时秒杀 & 满减').length, 1);
  const [close] = findNodes(root, (n) => n.class === 'android.widget.ImageView' && n.contentDescription === '×');
  assert.deepEqual(close?.bounds, [880, 566, 932, 618]);
  assert.equal(close?.clickable, true);
  const all = [...walk(root)].length;
  assert.equal(all, 20);
  assert.equal(appNodes(snapshotOf(root, { package: 'com.example.shop' })).length, 15);
  // Without a known package, everything but system UI (and the synthetic root) is the app's.
  assert.equal(appNodes(snapshotOf(root)).length, 15);
});

test('reads the same tree as JSON, checking every field', () => {
  const tree = {
    class: 'android.widget.FrameLayout',
    bounds: [0, 0, 100, 200],
    children: [{ text: '同意', clickable: true, checked: false, packageName: 'p' }],
    extra: 'ignored',
  };
  assert.deepEqual(readUiSnapshot(JSON.stringify(tree), { id: 'j' }), {
    class: 'android.widget.FrameLayout',
    bounds: [0, 0, 100, 200],
    children: [{ text: '同意', clickable: true, checked: false, packageName: 'p' }],
  });
  const bad: [unknown, RegExp][] = [
    [{ children: [{ text: 5 }] }, /node 0: "text" must be a string/],
    [{ children: [{}, { children: [{ clickable: 'yes' }] }] }, /node 1\/0: "clickable" must be true or false/],
    [{ bounds: [0, 0, 1] }, /node root: "bounds" must be \[left, top, right, bottom\]/],
    [{ children: {} }, /"children" must be an array/],
    [{ children: [3] }, /node 0 is not an object/],
    [[], /node root is not an object/],
  ];
  for (const [value, message] of bad)
    assert.throws(
      () => readUiSnapshot(JSON.stringify(value), { id: 'j', file: 'j.json' }),
      (e: unknown) => e instanceof TraceInputError && message.test(e.message) && e.message.startsWith('UI snapshot j (j.json): '),
      JSON.stringify(value),
    );
  assert.throws(() => readUiSnapshot('{"class":', { id: 'j' }), /UI snapshot j: not JSON/);
});

test('hostile and broken XML: errors name the problem, limits hold, nothing hangs', () => {
  const deep = '<hierarchy>' + '<node class="a">'.repeat(600) + '</node>'.repeat(600) + '</hierarchy>';
  assert.throws(() => readUiSnapshot(deep, { id: 'deep' }), /UI snapshot deep: nested deeper than the limit of 500 levels/);
  const wideNodes = '<hierarchy>' + '<node/>'.repeat(100_001) + '</hierarchy>';
  assert.throws(() => readUiSnapshot(wideNodes, { id: 'wide' }), /more than the limit of 100000 nodes/);
  assert.throws(() => readUiSnapshot('<hierarchy><node/><node/></hierarchy>', { id: 'w', limits: { maxUiNodes: 1 } }), /limit of 1 nodes/);
  assert.throws(() => readUiSnapshot('x'.repeat(100), { id: 'big', limits: { maxUiBytes: 10 } }), /larger than the limit of 10 bytes/);
  assert.throws(() => readUiSnapshot('plain text', { id: 'p' }), /neither a uiautomator XML dump nor a JSON UI tree/);
  assert.throws(() => readUiSnapshot('', { id: 'e' }), TraceInputError);
  assert.throws(() => readUiSnapshot('<hierarchy rotation="0"></hierarchy>', { id: 'n' }), /no UI nodes/);
  assert.throws(() => readUiSnapshot('<html><body>hi</body></html>', { id: 'h' }), /no UI nodes/);

  // Entity expansion is not performed: the "billion laughs" stays a literal.
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><hierarchy><node text="&lol2;"/></hierarchy>`;
  const root = readUiSnapshot(laughs, { id: 'lol' });
  assert.ok((root.text ?? '').length < 20);

  // A truncated dump (the device was killed mid-write) gives the nodes read so far.
  const truncated = dump('splash-skip.xml').slice(0, 3000);
  assert.ok([...walk(readUiSnapshot(truncated, { id: 't' }))].length >= 2);

  // Stray end tags, odd bounds and non-node elements are tolerated.
  const odd = readUiSnapshot(
    '\uFEFF <hierarchy></node><wrapper><node bounds="[1,2][3]" clickable="maybe"><x><node text="in"/></x></node></wrapper></hierarchy>',
    { id: 'odd' },
  );
  assert.deepEqual(odd, { children: [{ text: 'in' }] });
});

test('loadUiSnapshots: one snapshot per ui event (file or inline), then unmentioned files of the folder', async () => {
  const clean = await loadTrace(join(traces, 'clean.jsonl'));
  const set = await loadUiSnapshots(clean, uiDir);
  assert.equal(set.source, uiDir);
  assert.deepEqual(set.problems, []);
  assert.deepEqual(
    set.snapshots.map((s) => [s.id, s.t, s.line, s.file, s.role, s.package]),
    [
      ['splash', 800, 5, 'splash-skip.xml', 'splash', 'com.example.news'],
      ['consent', 1700, 8, undefined, 'consent', 'com.example.news'],
      ['popup-ad.xml', null, undefined, 'popup-ad.xml', undefined, 'com.example.news'],
    ],
  );
  assert.deepEqual(set.snapshots[0]!.screen, { width: 1080, height: 2340 });
  assert.equal(set.snapshots[0]!.screenshot, 'splash.png');
  const consent = set.snapshots[1]!;
  assert.deepEqual(findNodes(consent.root, (n) => n.clickable === true).map(nodeLabel), ['不同意', '同意']);

  // No trace: the folder alone. No folder and no trace: nothing.
  const folderOnly = await loadUiSnapshots(null, uiDir);
  assert.deepEqual(
    folderOnly.snapshots.map((s) => [s.id, s.t]),
    [
      ['popup-ad.xml', null],
      ['splash-skip.xml', null],
    ],
  );
  assert.deepEqual(await loadUiSnapshots(null), { source: '', snapshots: [], problems: [] });
});

test('loadUiSnapshots: files next to the trace, <id>.xml lookup, paths that leave the folder, bad dumps', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-ui-'));
  try {
    mkdirSync(join(dir, 'dumps'));
    writeFileSync(join(dir, 'dumps', 'a.xml'), '<hierarchy><node text="A"/></hierarchy>');
    writeFileSync(join(dir, 'b.xml'), '<hierarchy><node text="B"/></hierarchy>');
    writeFileSync(join(dir, 'broken.xml'), 'not xml at all');
    writeFileSync(join(dir, 'secret.txt'), 'x');
    const events = [
      { kind: 'trace', t: 0, version: '1.0.0', package: 'p', recorder: 'r' },
      { kind: 'ui', t: 1, id: 'first', file: 'dumps/a.xml' },
      { kind: 'ui', t: 2, id: 'b' },
      { kind: 'ui', t: 3, id: 'escape', file: '../secret.txt' },
      { kind: 'ui', t: 4, id: 'absolute', file: join(dir, 'b.xml') },
      { kind: 'ui', t: 5, id: 'gone', file: 'gone.xml' },
      { kind: 'ui', t: 6, id: 'bad', file: 'broken.xml' },
      { kind: 'ui', t: 7, id: 'nothing' },
    ];
    writeFileSync(join(dir, 'run.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    const trace = await loadTrace(join(dir, 'run.jsonl'));
    const set = await loadUiSnapshots(trace);
    assert.equal(set.source, join(dir, 'run.jsonl'));
    assert.deepEqual(
      set.snapshots.map((s) => [s.id, s.file, s.root.text]),
      [
        ['first', 'dumps/a.xml', 'A'],
        ['b', 'b.xml', 'B'],
      ],
    );
    const problems = new Map(set.problems.map((p) => [p.id, p.message]));
    assert.match(problems.get('escape')!, /outside the trace and UI folders/);
    assert.match(problems.get('absolute')!, /outside the trace and UI folders/);
    assert.match(problems.get('gone')!, /"gone\.xml" not found/);
    assert.match(problems.get('bad')!, /neither a uiautomator XML dump/);
    assert.match(problems.get('nothing')!, /no nothing\.xml or nothing\.json/);
    assert.equal(set.problems.find((p) => p.id === 'gone')?.line, 6);

    // With a UI folder, it is searched first; files it holds that no event names are added.
    const withDir = await loadUiSnapshots(trace, join(dir, 'dumps'));
    assert.deepEqual(
      withDir.snapshots.map((s) => [s.id, s.t]),
      [
        ['first', 1],
        ['b', 2],
      ],
    );
    await assert.rejects(loadUiSnapshots(trace, join(dir, 'missing')), /cannot read the UI folder/);
    await assert.rejects(loadUiSnapshots(trace, dir, { maxUiSnapshots: 2 }), /more than the limit of 2 snapshots/);
    writeFileSync(join(dir, 'b.xml'), '<hierarchy>' + '<node/>'.repeat(50) + '</hierarchy>');
    const small = await loadUiSnapshots(trace, undefined, { maxUiBytes: 64 });
    assert.match(small.problems.find((p) => p.id === 'b')!.message, /larger than the limit of 64 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an inline tree that breaks the rules is a problem of its snapshot, not of the trace', async () => {
  const trace = readTrace(JSON.stringify({ kind: 'ui', t: 1, id: 'x', tree: { children: [{ bounds: 'wide' }] } }));
  assert.equal(trace.events.length, 1);
  const set = await loadUiSnapshots(trace);
  assert.deepEqual(set.snapshots, []);
  assert.match(set.problems[0]!.message, /UI snapshot x \(line 1\): node 0: "bounds"/);
});

test('query helpers: walk order, area, screen bounds fallbacks, labels', () => {
  const root: UiNode = { text: 'r', children: [{ text: 'a', children: [{ text: 'a1' }] }, { contentDescription: ' b ' }] };
  assert.deepEqual([...walk(root)].map(nodeLabel), ['r', 'a', 'a1', 'b']);
  assert.equal(area([10, 10, 20, 30]), 200);
  assert.equal(area([20, 10, 10, 30]), 0);
  assert.deepEqual(screenBounds(snapshotOf(root, { screen: { width: 720, height: 1280 } })), [0, 0, 720, 1280]);
  assert.equal(screenBounds(snapshotOf(root)), null);
  assert.deepEqual(screenBounds(snapshotOf({ children: [{ bounds: [0, 0, 10, 10] }, { bounds: [5, 5, 50, 40] }] })), [0, 0, 50, 40]);
  // Deep trees are walked without recursion.
  let deep: UiNode = { text: 'leaf' };
  for (let i = 0; i < 50_000; i++) deep = { children: [deep] };
  assert.equal(findNodes(deep, (n) => n.text === 'leaf').length, 1);
});

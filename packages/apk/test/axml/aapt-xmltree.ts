/**
 * Compares our AXML tree with `aapt dump xmltree`. aapt's text is parsed into flat records (depth, kind,
 * qualified name, attribute id, value, raw value); our tree is turned into the same records using aapt's
 * conventions (a namespace URI prints as the first declared prefix for it, strings stop at NUL,
 * newlines and quotes escaped), so a mismatch points at one node.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxmlDocument, AxmlNode } from '../../src/axml/index.js';
import { runTool, buildZip } from '@apprights/testkit';

export interface XmlRecord {
  depth: number;
  kind: 'N' | 'E' | 'A' | 'C' | 'comment';
  /** N: `prefix=uri`; E: qualified name; A: qualified name; C/comment: text. */
  name: string;
  line?: number;
  id?: string;
  value?: string;
  raw?: string;
}

const ATTRIBUTE =
  /^A: (.*?)(?:\((0x[0-9a-f]{8})\))?=("(?:.*)"|@0x[0-9a-f]+|\?0x[0-9a-f]+|\(type 0x[0-9a-f]+\)0x[0-9a-f]+|\(null\))(?: \(Raw: "(.*)"\))?$/s;

/** Parses `aapt dump xmltree` output. A last line cut short by a crash is dropped. */
export function parseAaptXmltree(text: string, dropLast = false): XmlRecord[] {
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (dropLast) lines.pop();
  const records: XmlRecord[] = [];
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const body = line.trimStart();
    const depth = Math.floor(indent / 2);
    if (body.startsWith('<!-- ') && body.endsWith(' -->')) {
      records.push({ depth, kind: 'comment', name: body.slice(5, -4) });
    } else if (body.startsWith('N: ')) {
      records.push({ depth, kind: 'N', name: body.slice(3) });
    } else if (body.startsWith('E: ')) {
      const match = /^E: (.*) \(line=(\d+)\)$/s.exec(body);
      if (!match) throw new Error(`unparsed aapt element line: ${line}`);
      records.push({ depth, kind: 'E', name: match[1]!, line: Number(match[2]) });
    } else if (body.startsWith('C: ')) {
      records.push({ depth, kind: 'C', name: body.slice(3) });
    } else if (body.startsWith('A: ')) {
      const match = ATTRIBUTE.exec(body);
      if (!match) throw new Error(`unparsed aapt attribute line: ${line}`);
      const record: XmlRecord = { depth, kind: 'A', name: match[1]!, value: match[3]! };
      if (match[2] !== undefined) record.id = match[2];
      if (match[4] !== undefined) record.raw = match[4];
      records.push(record);
    } else {
      throw new Error(`unparsed aapt line: ${line}`);
    }
  }
  return records;
}

/** aapt prints strings through a C string (cut at NUL) with newlines and quotes escaped. */
function printable(text: string): string {
  const cut = text.indexOf('\0');
  const s = cut >= 0 ? text.slice(0, cut) : text;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const hex8 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** Our document as aapt would print it. */
export function recordsOf(document: AxmlDocument): XmlRecord[] {
  const records: XmlRecord[] = [];
  const scope: { prefix: string; uri: string }[] = [];
  const qualify = (uri: string | undefined, name: string): string => {
    if (uri === undefined) return name;
    const hit = scope.find((ns) => ns.uri === uri);
    return `${hit ? hit.prefix : uri}:${name}`;
  };
  const walk = (node: AxmlNode, depth: number): void => {
    if (node.kind === 'text') {
      records.push({ depth, kind: 'C', name: `"${printable(node.text)}"` });
      return;
    }
    for (const ns of node.namespaces) {
      records.push({ depth, kind: 'N', name: `${ns.prefix}=${ns.uri}` });
      scope.push(ns);
      depth++;
    }
    if (node.comment !== undefined) records.push({ depth, kind: 'comment', name: printable(node.comment) });
    records.push({ depth, kind: 'E', name: qualify(node.namespaceUri, node.name), line: node.line });
    for (const a of node.attributes) {
      const t = a.typedValue;
      let value: string;
      if (t.type === 0x01) value = `@${hex8(t.data)}`;
      else if (t.type === 0x02) value = `?${hex8(t.data)}`;
      else if (t.type === 0x03) value = `"${a.value.kind === 'string' ? printable(a.value.value) : ''}"`;
      else if (t.type === 0x00) value = '(null)';
      else value = `(type ${hex(t.type)})${hex(t.data)}`;
      // aapt prints the string-pool name; ours also offers the framework name in `name`.
      const record: XmlRecord = { depth: depth + 1, kind: 'A', name: qualify(a.namespaceUri, a.rawName), value };
      if (a.resourceId !== undefined) record.id = hex8(a.resourceId);
      if (a.rawValue !== undefined) record.raw = printable(a.rawValue);
      records.push(record);
    }
    for (const child of node.children) walk(child, depth + 1);
    scope.splice(scope.length - node.namespaces.length, node.namespaces.length);
  };
  for (const node of document.topLevel) walk(node, 0);
  return records;
}

/** Runs `aapt dump xmltree` on a manifest by wrapping it in a temporary APK. */
export function aaptXmltreeOfManifest(manifest: Uint8Array): { stdout: string; stderr: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-axml-'));
  try {
    const apk = join(dir, 'test.apk');
    writeFileSync(apk, buildZip([{ name: 'AndroidManifest.xml', data: manifest, method: 0 }]));
    return runTool('aapt', ['dump', 'xmltree', apk, 'AndroidManifest.xml'], { allowFailure: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

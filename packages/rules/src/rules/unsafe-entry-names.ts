import { defineRule } from '../engine/define.js';
import type { EvidenceRef } from '../engine/types.js';

/** Entries shown one by one; a hostile package may hold thousands, the count says how many in all. */
const MAX_EVIDENCE = 20;
/** Names as shown: a name may be any length and hold anything (it is escaped here, never used as a path). */
const MAX_NAME = 200;

/** The name as text a report can carry: control characters as \u escapes, long names cut. */
function shown(name: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > MAX_NAME ? `${escaped.slice(0, MAX_NAME - 1)}…` : escaped;
}

/**
 * ZIP entry names that escape the folder they are unpacked into (`../x`, `/data/...`, `C:\`) or hold
 * NUL and control characters. No build tool writes them; a tool or an app that unpacks the package
 * ("zip slip") may write outside its folder, and readers disagree on which file such a name means.
 * The archive reader lists them as archive issues; this rule makes them a finding that `--fail-on`
 * can gate on.
 */
export const unsafeEntryNames = defineRule({
  meta: {
    id: 'unsafe-entry-names',
    measures: ['miit26-14'],
    evidence: ['apk'],
    severity: 'high',
    title: { zh: '压缩包条目名称越出目录', en: 'Archive entry names that escape their folder' },
    description: {
      zh: '安装包中存在绝对路径、含“..”上跳或含控制字符的条目名称。正常构建工具不会生成此类名称；解压该安装包的工具或应用可能把文件写到目标目录之外（“Zip Slip”），不同读取器对同名条目的理解也可能不一致。',
      en: 'The package holds entries whose names are absolute, climb with "..", or hold NUL or control characters. No build tool writes such names; a tool or app that unpacks the package may write outside the target folder ("zip slip"), and readers may disagree on which file such a name means.',
    },
    fix: {
      zh: '用正常的构建流程（Gradle/AGP、apksigner）重新打包并签名；检查构建后处理、加固或渠道打包工具是否写入了异常条目。',
      en: 'Rebuild and sign the package with the normal build (Gradle/AGP, apksigner); check post-build steps, packers and channel tools for the entries they add.',
    },
    messages: {
      unsafeNames: {
        zh: '安装包有 {count} 个条目名称越出目录或含控制字符，例如 {example}{more}。',
        en: '{count} entry name(s) escape the folder they are unpacked into or hold control characters, e.g. {example}{more}.',
      },
    },
  },
  check({ evidence }) {
    const issues = evidence.package.archive.issues.filter((i) => i.kind === 'unsafe-name' && i.entry !== null);
    if (issues.length === 0) return [];
    const names = issues.map((i) => i.entry!);
    const refs: EvidenceRef[] = names.slice(0, MAX_EVIDENCE).map((name) => ({
      // The package itself is the artifact: the hostile name must not become a path or a URI.
      kind: 'resource',
      artifact: '.',
      detail: `entry name ${JSON.stringify(shown(name))}`,
    }));
    const more = names.length - refs.length;
    return [
      {
        key: 'unsafe-entry-names',
        messageId: 'unsafeNames',
        messageData: {
          count: names.length,
          example: JSON.stringify(shown(names[0]!)),
          more: more > 0 ? { zh: `（另有 ${more} 个未列出）`, en: ` (${more} more not listed)` } : '',
        },
        evidence: refs,
        data: { count: names.length, names: names.slice(0, MAX_EVIDENCE).map(shown) },
      },
    ];
  },
});

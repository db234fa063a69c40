/**
 * The commands' help footers (exit codes, formats, examples). Kept apart from the commands so
 * that `--help` loads none of the code that reads packages.
 */

export const SCAN_HELP = `
Exit codes / 退出码: 0 ok, 1 a finding reached --fail-on, 2 usage or configuration error, 3 unreadable input,
4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/scan-report.schema.json), md, sarif (SARIF 2.1.0), html (single file, zh/en).
Privacy policy / 隐私政策: --policy FILE|URL checks the app's policy with it and keeps the analysis in the report
(see apprights policy --help). 同时检测隐私政策，分析结果保存在报告中。
Runtime / 运行时: --trace FILE [--ui DIR] checks a runtime trace and UI snapshots with the package; static findings about
an SDK or class are marked "active in trace" or "not seen in trace" (see apprights trace --help).
同时检测运行时行为记录与界面快照；涉及 SDK 或类的静态问题标注“运行时已触发”或“运行时未观察到”。
Fixes / 修复: --manifest-source FILE locates each finding's mechanical fix in the app's source AndroidManifest.xml
(JSON fix.patch, SARIF fixes); --fix-manifest FILE also writes FILE.fixed (never over a file, never the APK) and
prints the diff. A manifest that is not the app's is refused (exit 3); --namespace NAME for Gradle manifests without
package. 在源码清单中定位修复；--fix-manifest 另存修复后的副本并输出差异，清单不属于该应用时拒绝（退出码 3）。
Example / 示例: apprights scan app.apk --app-type map-navigation --format html -o report.html --fail-on high`;

export const DIFF_HELP = `
Inputs / 输入: OLD and NEW are each an APK, JAR or AAR, or a JSON report written by \`apprights scan --format json\`
(read as is, not rescanned). 新旧版本可以是安装包，也可以是 scan 输出的 JSON 报告。
Gate / 门禁: --fail-on gating (default) exits 1 when a change needs review before the update goes out: another package
name or signer, a lower targetSdk, a new dangerous permission, tracker SDK, personal-information API, self-start receiver
or dynamic code loading, a new high finding. --fail-on SEVERITY: any change at least that severe (info: any change).
Exit codes / 退出码: 0 ok, 1 the gate failed, 2 usage or configuration error, 3 unreadable input, 4 cannot write the output,
70 internal error.
Formats / 格式: text (terminal), json (schemas/diff-report.schema.json), md.
Example / 示例: apprights diff app-3.1.apk app-3.2.apk --format md -o diff.md`;

export const POLICY_HELP = `
Input / 输入: a file (.html, .htm, .md, .txt; otherwise the content decides) or an http(s) URL. URLs are fetched with
a time limit (--timeout, default 20 s, covering fetching, reading and analysing, files too) and a size limit
(--max-size, default 4 MiB, the one limit on bytes read and characters parsed); the encoding comes from the
Content-Type header, a byte-order mark or <meta charset> (GBK and GB18030 included), else UTF-8.
文件（.html、.htm、.md、.txt）或 http(s) 网址；读取与分析共用时间上限（--timeout），大小上限（--max-size）同时限制字节数与字符数；
编码按 Content-Type、BOM 或 <meta charset> 判断。
Checks / 检测: the rules that need only the policy (and the app type, when given) run; those that also need the APK
are listed as not run. Use apprights scan APP --policy FILE|URL to check both together.
Exit codes / 退出码: 0 ok, 1 a finding reached --fail-on, 2 usage or configuration error, 3 the policy cannot be read
(missing file, HTTP error, timeout, too large, not HTML/Markdown/text), 4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/policy-report.schema.json), md, sarif (SARIF 2.1.0), html (single file, zh/en).
Example / 示例: apprights policy https://example.com/privacy.html --format html -o policy.html`;

export const POLICY_DRAFT_HELP = `
Input / 输入: an APK, JAR or AAR, or a JSON report of apprights scan (read as is, not rescanned).
安装包，或 apprights scan 输出的 JSON 报告（直接读取，不重新扫描）。
Draft / 草稿: 1. third-party SDK list (trackers and other SDKs apart; plain libraries in a note), 2. personal information
collected by the app's own code, 3. dangerous and special permissions. Every fact names its source (catalogue entry,
DEX class, manifest element); purposes and business functions are left for you to fill ([to fill]), never invented.
With --app-type, information the type's necessary PI (CAC 2021) does not cover is marked "needs a separate consent".
一、第三方 SDK 目录；二、个人信息收集清单；三、权限申请与使用情况说明。每项事实注明来源（目录条目、DEX 类、清单元素）；
使用目的与业务功能留空待填写，不作推测。提供 --app-type 时，标出不属于该类型必要个人信息、需单独同意的项。
Gap report / 差异报告: --policy FILE|URL compares the policy with the app instead: SDKs, permissions and personal
information the policy lacks, and SDKs or permissions it lists that the app no longer has, each with the policy passage
and the app evidence. It is the comparison the policy rules of apprights scan --policy use.
--policy 时改为差异报告：政策缺少的 SDK、权限与个人信息，以及政策列出但应用已不再需要的 SDK 与权限，附政策原文与应用证据；
与 apprights scan --policy 的隐私政策规则使用同一比对。
Exit codes / 退出码: 0 written, 2 usage or configuration error, 3 unreadable input or policy, 4 cannot write the output,
70 internal error.
Formats / 格式: md (default, in the --lang language), html (single file, zh/en), json (schemas/policy-draft.schema.json).
Example / 示例: apprights policy draft app.apk --app-type map-navigation --lang zh-CN --format md -o policy-lists.md
  apprights policy draft app.apk --policy https://example.com/privacy.html --lang en -o gaps.md`;

export const LISTING_DRAFT_HELP = `
Elements / 要素: app name, version (from the manifest), developer (the organisation, O, of the signing certificate's
subject; not from a debug certificate), permission list with purposes (the manifest's T/TAF 076 meta-data, else a
slot), privacy policy (--privacy-policy URL); the function description is marked for a person to write.
应用名称、版本号（取自清单文件）、开发者（签名证书主体中的组织 O；调试证书除外）、权限列表及用途（清单文件的 T/TAF 076
元数据，否则留空）、隐私政策（--privacy-policy）；功能介绍标为需人工填写。
Exit codes / 退出码: 0 written, 2 usage or configuration error, 3 unreadable input, 4 cannot write the output,
70 internal error.
Formats / 格式: md (default), html (single file, zh/en), json (schemas/listing-draft.schema.json).
Example / 示例: apprights listing draft app.apk --privacy-policy https://example.com/privacy.html --lang zh-CN`;

export const TRACE_HELP = `
Input / 输入: a runtime trace (JSON Lines, one event per line; see packages/runtime) and, with --ui DIR, a folder of
uiautomator XML dumps or JSON trees; snapshots the trace's ui events name are read too.
运行时行为记录（JSON Lines，每行一个事件）；--ui 指定界面快照目录（uiautomator XML 或 JSON）。
Lines that are not events stop the run with the line named (exit 3); --keep-going lists them in the report and goes on.
无法解析的行默认报错并指明行号（退出码 3）；--keep-going 时记入报告并继续。
Checks / 检测: the runtime and UI rules run; rules that also need the APK are listed as not run. Use
apprights scan APP --trace FILE [--ui DIR] to check the package and its behaviour together ("present" versus "active").
Exit codes / 退出码: 0 ok, 1 a finding reached --fail-on, 2 usage or configuration error, 3 the trace or a snapshot cannot
be read, 4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/trace-report.schema.json), md, sarif (SARIF 2.1.0), html (single file, zh/en).
Example / 示例: apprights trace run.jsonl --ui dumps/ --format html -o trace.html`;

export const RECORD_HELP = `
Modes / 模式 (exactly one / 二选一):
  --adb    no root, no change to the app: launches it cold, polls the screen (uiautomator), logcat and AppOps,
           taps the privacy dialog's agree button (--no-auto-consent: you answer, and mark it with the keys below).
           无需 root、不修改应用：冷启动应用，轮询界面、logcat 与 AppOps，可自动点击隐私弹窗的“同意”。
  --frida  a Frida agent in the app (needs the frida package and frida-server on the device): API calls with stacks,
           so each access is attributed to the app or an SDK. 在应用中注入 Frida 脚本，记录带调用栈的 API 调用。
Output / 输出: OUTDIR/trace.jsonl, OUTDIR/ui/*.xml, OUTDIR/screenshots/*.png; then
  apprights trace OUTDIR/trace.jsonl --ui OUTDIR/ui   (or --analyse to check it right away / 或用 --analyse 立即检测)
Keys while recording with --adb (terminal) / adb 录制中按键: s consent shown 弹窗出现, a agreed 已同意, r refused 已拒绝,
  w withdrawn 已撤回, q stop 停止. Ctrl-C stops and keeps the trace / Ctrl-C 停止录制并保留记录.
Exit codes / 退出码: 0 recorded (with --analyse: as apprights trace, 1 when a finding reached --fail-on from the config),
2 usage error, 4 the output folder cannot be written, 5 adb or frida missing, no device, app not installed, 70 internal error.
Example / 示例: apprights record --adb --device emulator-5554 com.example.app --duration 120 -o run1 --analyse`;

export const EXPLORE_HELP = `
Scenarios / 场景 (run in this order, each its own OUTDIR/<letter>-<name>/trace.jsonl and ui/ / 按此顺序运行，各自独立记录):
  a refuse        first start (app data cleared), read the privacy dialog, follow its policy link (text saved to
                  OUTDIR/privacy-policy.txt for --policy), refuse it / 首次启动，阅读隐私弹窗并保存政策文本，拒绝
  b deny          first start, agree, deny every permission request / 首次启动，同意，拒绝全部权限申请
  e second-start  right after b, data kept: a second cold start; b + e are checked together on the device clock for
                  re-asks within 48 h (no waiting) / 紧接 b 的第二次冷启动；b、e 按设备时钟合并检查 48 小时内重复申请
  c grant         first start, agree, grant every permission request / 首次启动，同意，授予全部权限
  d background    after c: home key, the app in the background for --background seconds / 切到后台停留一段时间
  f walk          after c: breadth-first over the app's screens, each clickable control once, within --walk-depth,
                  --walk-taps and --walk-time; never taps payment, delete, send, call, settings or sign-out controls
                  (plus --deny words) / 有限的广度优先遍历，每个可点击控件一次，不点支付、删除、发送、拨号、设置、退出登录
Dialogs / 弹窗: the app's privacy dialog (zh/en wordings: 隐私政策, 用户协议, 同意并继续, 不同意, Agree, Decline …) and the
  system permission dialogs of AOSP/GMS, MIUI, EMUI/HarmonyOS, ColorOS, OriginOS and One UI are recognised from the
  UI tree; a crash dialog ends the scenario. 通过界面树识别隐私弹窗与各厂商权限弹窗。
Faults / 故障: a device that disconnects, an app that crashes or shows no window, a dialog the explorer cannot read or one
  that keeps coming back end that scenario with the reason in its trace (a "scenario" end event) and in
  OUTDIR/explore.json; the other scenarios still run and nothing recorded is lost. 场景出错时在记录中写明原因，其余场景继续。
--frida / Frida: with --adb, the Frida recorder (apprights record --frida's agent) attaches to the app's process right
  after each launch the explorer makes; its API calls with stacks (so each access is attributed to the app or an SDK),
  sensors and jumps join that scenario's trace, and each launch's raw Frida trace stays in <scenario>/frida/launch-N/.
  The explorer's own taps stay the only user events. What the app does before the attach completes is seen by adb
  only. Needs the frida npm package and a frida-server of its version running as root on the device: without them
  the command stops before exploring (exit 5); a scenario whose attach fails ends with reason instrument-failed.
  每次启动后附加 Frida 记录器，带调用栈的 API 调用并入该场景的记录；缺少 frida 或 frida-server 时退出码 5，不会在无 Frida 的情况下继续探索。
Safety / 安全: commands go to adb as argument arrays, never through a shell; only the validated package name, fixed
  words and numeric tap positions reach the device. 命令以参数数组传给 adb，不经过 shell。
Limits / 限制: the explorer is the only input while it runs (do not touch the phone): a jump with no explorer action in
  the 5 s before it is recorded as started by the app. Dumps are polled (--observe); WebView, Flutter and game UIs
  show few nodes. Verified on a scripted fake device (and --frida on a fake Frida) only (see packages/recorder/README.md).
  探索期间请勿操作手机；仅在模拟设备上验证过。
Exit codes / 退出码: 0 explored (with --analyse and --fail-on: 1 when a finding reached it), 2 usage error, 4 the output
  folder cannot be written, 5 adb or the device missing (with --frida: frida, frida-server or the agent), 70 internal error.
Example / 示例: apprights explore --adb --device emulator-5554 com.example.app -o explore1 --analyse
  apprights explore --adb --frida --device emulator-5554 com.example.app -o explore2 --analyse`;

export const VERIFY_HELP = `
Exit codes / 退出码: 0 every file verifies, 1 a file does not verify (or cannot be read as an APK), 2 usage error,
4 cannot write the output, 70 internal error.
Formats / 格式: text (terminal), json (schemas/verify-report.schema.json).
Like apksigner verify: v1 (JAR), v2, v3 and v3.1 schemes, for the app's minSdkVersion unless --min-sdk says otherwise.
与 apksigner verify 一致：校验 v1（JAR）、v2、v3、v3.1 签名，默认按应用的 minSdkVersion。
Example / 示例: apprights verify app.apk --format json -o verify.json`;

const PLATFORM_ENV = `
Environment / 环境变量: APPRIGHTS_DATABASE_URL=postgres://… selects PostgreSQL and pg-boss (scale-out; run
\`apprights migrate\` once); unset, the embedded SQLite store in --data is used. APPRIGHTS_REDIS_URL (optional) shares
rate-limit counters between server nodes. 设置 APPRIGHTS_DATABASE_URL 使用 PostgreSQL 与 pg-boss；不设置则使用 --data 中的内置 SQLite。
Exit codes / 退出码: 0 ok (stopped by a signal), 2 usage or configuration error, 5 the database cannot be reached, 70 internal error.
Docs / 文档: docs/platform.md (modes, settings, job guarantees, roles); the API is described at /api/v1/openapi.json.`;

export const SERVE_HELP = `${PLATFORM_ENV}
Embedded / 内置模式: apprights serve --data ./ar-data   (one process: HTTP, SQLite, the job queue, workers)
Scale-out / 扩展部署: APPRIGHTS_DATABASE_URL=postgres://host/db apprights serve --no-workers   (× M, behind a proxy)
                      APPRIGHTS_DATABASE_URL=postgres://host/db apprights worker --concurrency 2   (× N machines)
First user / 首个用户: apprights admin create-user --org demo --role developer --print-token`;

export const WORKER_HELP = `${PLATFORM_ENV}
Each worker process runs one job at a time with the engine loaded once; a job over --job-timeout or a process over
--memory-limit is killed, its attempt fails as timeout or memory and a fresh process takes its place.
每个工作进程一次执行一个任务；超时或超出内存上限的任务被终止并记录原因，随后启动新的工作进程。
Example / 示例: APPRIGHTS_DATABASE_URL=postgres://root@127.0.0.1/test apprights worker --concurrency 2`;

export const MIGRATE_HELP = `${PLATFORM_ENV}
Applies pending schema migrations and exits (the embedded \`serve\` applies them at start).
执行尚未执行的数据库迁移后退出（内置模式的 serve 启动时自动执行）。
Example / 示例: APPRIGHTS_DATABASE_URL=postgres://root@127.0.0.1/test apprights migrate`;

export const CALENDAR_HELP = `${PLATFORM_ENV}
The file holds one year (every date in that year): the days off as ranges, the weekend days worked
(调休上班) and the notice(s) with their gov.cn URL and date. It replaces that year in the database and
overrides the data shipped with AppRights. A deadline counted through a year without data is marked
provisional. Bad input names the field and line, stores nothing and exits 3.
文件包含一年的数据（日期均须在该年内）：放假区间、调休上班日，以及通知的 gov.cn 网址和日期。导入后替换数据库中的该年，
并覆盖随软件发布的数据。跨越无数据年份计算的时限标记为“暂定”。输入有误时指出字段和行号，不保存任何内容，退出码为 3。
Example / 示例: apprights admin calendar import 2027.json`;

export const ADMIN_HELP = `${PLATFORM_ENV}
--print-token prints the new API token alone on standard output, once: it is stored only as a hash.
--print-token 在标准输出中单独输出一次新令牌；数据库只保存其哈希。
Example / 示例: TOKEN=$(apprights admin create-user --org demo --role developer --print-token)`;

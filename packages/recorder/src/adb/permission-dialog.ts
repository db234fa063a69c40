import type { RecorderLimits } from './limits.js';
import { centerOf, labelOf, readUiDump, tapTarget, type Bounds, type DumpNode, type UiDump } from './xml.js';

/** Packages that draw the system runtime-permission dialog (AOSP, GMS, and vendor versions). */
export const PERMISSION_DIALOG_PACKAGES: ReadonlySet<string> = new Set([
  'com.android.permissioncontroller',
  'com.google.android.permissioncontroller',
  'com.android.packageinstaller',
  'com.google.android.packageinstaller',
  'com.samsung.android.permissioncontroller',
  'com.lbe.security.miui',
  'com.miui.securitycenter',
  'com.coloros.securitypermission',
  'com.oplus.securitypermission',
  'com.coloros.safecenter',
  'com.vivo.permissionmanager',
  'com.iqoo.secure',
  'com.huawei.systemmanager',
  'com.hihonor.permissioncontroller',
  'com.meizu.safe',
]);

/** A permission group as the dialog names it. */
export type PermissionGroup =
  | 'location'
  | 'camera'
  | 'microphone'
  | 'contacts'
  | 'phone'
  | 'sms'
  | 'call-log'
  | 'calendar'
  | 'storage'
  | 'photos-videos'
  | 'music-audio'
  | 'body-sensors'
  | 'activity-recognition'
  | 'nearby-devices'
  | 'notifications'
  | 'accounts';

/** The platform permissions each group's dialog can grant (the app gets those it requested). */
export const PERMISSION_GROUP_PERMISSIONS: Readonly<Record<PermissionGroup, readonly string[]>> = Object.freeze({
  location: [
    'android.permission.ACCESS_FINE_LOCATION',
    'android.permission.ACCESS_COARSE_LOCATION',
    'android.permission.ACCESS_BACKGROUND_LOCATION',
  ],
  camera: ['android.permission.CAMERA'],
  microphone: ['android.permission.RECORD_AUDIO'],
  contacts: ['android.permission.READ_CONTACTS', 'android.permission.WRITE_CONTACTS', 'android.permission.GET_ACCOUNTS'],
  phone: [
    'android.permission.READ_PHONE_STATE',
    'android.permission.READ_PHONE_NUMBERS',
    'android.permission.CALL_PHONE',
    'android.permission.ANSWER_PHONE_CALLS',
    'android.permission.ADD_VOICEMAIL',
    'android.permission.USE_SIP',
  ],
  sms: ['android.permission.READ_SMS', 'android.permission.SEND_SMS', 'android.permission.RECEIVE_SMS', 'android.permission.RECEIVE_MMS'],
  'call-log': ['android.permission.READ_CALL_LOG', 'android.permission.WRITE_CALL_LOG', 'android.permission.PROCESS_OUTGOING_CALLS'],
  calendar: ['android.permission.READ_CALENDAR', 'android.permission.WRITE_CALENDAR'],
  storage: ['android.permission.READ_EXTERNAL_STORAGE', 'android.permission.WRITE_EXTERNAL_STORAGE'],
  'photos-videos': [
    'android.permission.READ_MEDIA_IMAGES',
    'android.permission.READ_MEDIA_VIDEO',
    'android.permission.READ_MEDIA_VISUAL_USER_SELECTED',
  ],
  'music-audio': ['android.permission.READ_MEDIA_AUDIO'],
  'body-sensors': ['android.permission.BODY_SENSORS', 'android.permission.BODY_SENSORS_BACKGROUND'],
  'activity-recognition': ['android.permission.ACTIVITY_RECOGNITION'],
  'nearby-devices': [
    'android.permission.BLUETOOTH_SCAN',
    'android.permission.BLUETOOTH_CONNECT',
    'android.permission.BLUETOOTH_ADVERTISE',
    'android.permission.NEARBY_WIFI_DEVICES',
    'android.permission.UWB_RANGING',
  ],
  notifications: ['android.permission.POST_NOTIFICATIONS'],
  accounts: ['android.permission.GET_ACCOUNTS'],
});

/**
 * How each group's dialog says what it asks, in the AOSP strings (en, zh-CN) and the usual vendor
 * wordings (MIUI, ColorOS, OriginOS, EMUI). Order matters: the first that matches wins, so the
 * narrower texts (call logs before phone, photos before storage) come first.
 */
const GROUP_TEXTS: [PermissionGroup, RegExp][] = [
  ['call-log', /通话记录|call logs?/i],
  ['location', /位置|定位|location/i],
  ['camera', /拍摄照片|拍照|录制视频|摄像头|相机|take pictures|record video|camera/i],
  ['microphone', /录制音频|录音|麦克风|record audio|microphone/i],
  ['contacts', /通讯录|联系人|contacts/i],
  ['sms', /短信|彩信|SMS|text messages/i],
  ['calendar', /日历|日程|calendar/i],
  ['photos-videos', /照片和视频|照片与视频|photos and videos|photos & videos/i],
  ['music-audio', /音乐和音频|music and audio/i],
  ['storage', /照片、媒体内容和文件|存储|媒体和文件|文件和媒体|photos, media,? and files|files and media|storage/i],
  ['body-sensors', /生命体征|身体传感器|vital signs|body sensors/i],
  ['activity-recognition', /身体活动|健身运动|physical activity/i],
  ['nearby-devices', /附近的设备|附近设备|nearby devices/i],
  ['notifications', /发送通知|通知|send you notifications|notifications/i],
  ['phone', /拨打电话和管理通话|电话|手机信息|手机状态|设备信息|身份|phone calls|phone state|device identity/i],
  ['accounts', /账号|帐户|账户|accounts/i],
];

export function permissionGroupOfText(text: string): PermissionGroup | null {
  for (const [group, re] of GROUP_TEXTS) if (re.test(text)) return group;
  return null;
}

export type PermissionButtonRole =
  'allow' | 'allowForegroundOnly' | 'allowOnce' | 'allowAlways' | 'allowSelected' | 'deny' | 'denyForever' | 'keepForegroundOnly';

/** A node to tap: what it says, its resource id, its bounds and the centre to tap. */
export interface DialogButton {
  text: string;
  resourceId?: string;
  bounds: Bounds;
  center: [number, number];
}

export interface PermissionDialog {
  /** The package that drew it (`com.android.permissioncontroller`, `com.lbe.security.miui`, …). */
  package: string;
  /** The question as shown: `Allow Example to access this device's location?`. */
  message?: string;
  group: PermissionGroup | null;
  /** The permissions the group stands for (all of them; the recorder narrows them to those the app requested). */
  permissions: string[];
  buttons: Partial<Record<PermissionButtonRole, DialogButton>>;
}

/** Resource-id endings (after `:id/`) of the AOSP dialog's buttons, which vendor forks mostly keep. */
const BUTTON_IDS: Record<string, PermissionButtonRole> = {
  permission_allow_button: 'allow',
  permission_allow_all_button: 'allow',
  permission_allow_foreground_only_button: 'allowForegroundOnly',
  permission_allow_one_time_button: 'allowOnce',
  permission_allow_always_button: 'allowAlways',
  permission_allow_selected_button: 'allowSelected',
  permission_deny_button: 'deny',
  permission_deny_and_dont_ask_again_button: 'denyForever',
  permission_no_upgrade_button: 'keepForegroundOnly',
  permission_no_upgrade_and_dont_ask_again_button: 'denyForever',
  permission_no_upgrade_one_time_button: 'keepForegroundOnly',
};

/** Button texts, matched whole (after trimming), for dialogs without the AOSP ids. */
const BUTTON_TEXTS: [PermissionButtonRole, RegExp][] = [
  ['denyForever', /^(拒绝[，,]?\s*不再询问|拒绝且不再询问|禁止后不再询问|不再询问|deny (&|and) don[’']t ask again|don[’']t ask again)$/i],
  [
    'allowForegroundOnly',
    /^(仅在使用中允许|仅使用期间允许|使用期间允许|使用时允许|仅在使用该应用时允许|while using the app|allow only while using the app)$/i,
  ],
  ['allowOnce', /^(仅限这一次|本次使用允许|仅此一次|仅本次允许|单次允许|only this time|ask every time)$/i],
  ['allowAlways', /^(始终允许|一直允许|allow all the time|always allow)$/i],
  ['allowSelected', /^(选择照片和视频|select photos and videos)$/i],
  ['allow', /^(允许|确定|allow|ok)$/i],
  ['deny', /^(拒绝|不允许|禁止|deny|don[’']t allow)$/i],
];

function buttonOf(dump: UiDump, node: DumpNode): DialogButton | null {
  const target = tapTarget(dump, node, 2);
  const bounds = target.bounds ?? node.bounds;
  if (!bounds || bounds[2] <= bounds[0] || bounds[3] <= bounds[1]) return null;
  const button: DialogButton = { text: labelOf(node), bounds, center: centerOf(bounds) };
  const id = node.resourceId || target.resourceId;
  if (id) button.resourceId = id;
  return button;
}

/** The id ending of a node (`permission_allow_button` of `com.android.permissioncontroller:id/permission_allow_button`). */
function idName(node: DumpNode): string {
  const i = node.resourceId.indexOf(':id/');
  return i >= 0 ? node.resourceId.slice(i + 4) : '';
}

/**
 * Finds the system runtime-permission dialog in a uiautomator dump (AOSP/GMS permission controller
 * Android 6–15 and the vendor dialogs of MIUI/HyperOS, ColorOS, OriginOS, EMUI): which group it asks
 * for (from its message, zh or en) and its buttons with the centres to tap. Null when there is none;
 * never throws.
 */
export function parsePermissionDialog(uiautomatorXml: unknown, limits: Partial<RecorderLimits> = {}): PermissionDialog | null {
  const dump = readUiDump(uiautomatorXml, limits);
  const byId = dump.nodes.filter((n) => Object.hasOwn(BUTTON_IDS, idName(n)) && n.resourceId.includes('permission'));
  const dialogNodes = dump.nodes.filter((n) => PERMISSION_DIALOG_PACKAGES.has(n.packageName));
  if (byId.length === 0 && dialogNodes.length === 0) return null;
  const pkg = byId[0]?.packageName || dialogNodes[0]!.packageName;
  const inDialog = dump.nodes.filter((n) => n.packageName === pkg);

  const buttons: PermissionDialog['buttons'] = {};
  for (const node of byId) {
    const role = BUTTON_IDS[idName(node)]!;
    const button = buttons[role] ? null : buttonOf(dump, node);
    if (button) buttons[role] = button;
  }
  for (const node of inDialog) {
    const label = labelOf(node);
    if (label === '' || label.length > 30) continue;
    const role = BUTTON_TEXTS.find(([, re]) => re.test(label))?.[0];
    if (!role || buttons[role]) continue;
    const button = buttonOf(dump, node);
    if (button) buttons[role] = button;
  }
  const hasAllow = Object.keys(buttons).some((k) => k.startsWith('allow'));
  const hasDeny = buttons.deny !== undefined || buttons.denyForever !== undefined;
  if (!hasAllow && !hasDeny) return null;

  const messageNode =
    inDialog.find((n) => idName(n) === 'permission_message') ??
    inDialog
      .filter(
        (n) =>
          n.text.length > 4 &&
          n.text.length < 300 &&
          /允许|要|allow|access/i.test(n.text) &&
          !BUTTON_TEXTS.some(([, re]) => re.test(n.text.trim())),
      )
      .sort((a, b) => b.text.length - a.text.length)[0];
  const message = messageNode ? labelOf(messageNode) : undefined;
  const group = message !== undefined ? permissionGroupOfText(message) : null;
  const dialog: PermissionDialog = { package: pkg, group, permissions: group ? [...PERMISSION_GROUP_PERMISSIONS[group]] : [], buttons };
  if (message !== undefined) dialog.message = message;
  return dialog;
}

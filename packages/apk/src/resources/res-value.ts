/**
 * Android's typed resource value (`Res_value`), shared by binary XML attributes and resources.arsc
 * entries. Data types and their numbering follow the platform's ResourceTypes.h format description.
 */
export const ResType = {
  NULL: 0x00,
  REFERENCE: 0x01,
  ATTRIBUTE: 0x02,
  STRING: 0x03,
  FLOAT: 0x04,
  DIMENSION: 0x05,
  FRACTION: 0x06,
  DYNAMIC_REFERENCE: 0x07,
  DYNAMIC_ATTRIBUTE: 0x08,
  INT_DEC: 0x10,
  INT_HEX: 0x11,
  INT_BOOLEAN: 0x12,
  INT_COLOR_ARGB8: 0x1c,
  INT_COLOR_RGB8: 0x1d,
  INT_COLOR_ARGB4: 0x1e,
  INT_COLOR_RGB4: 0x1f,
} as const;

export interface ResValue {
  /** One of ResType. */
  type: number;
  /** The raw 32-bit data word (a string pool index for STRING, a resource id for REFERENCE). */
  data: number;
}

/** True for references to a resource (`@0x7f040001`), including dynamic (shared library) ones. */
export function isReference(value: ResValue): boolean {
  return value.type === ResType.REFERENCE || value.type === ResType.DYNAMIC_REFERENCE;
}

/** Resource id parts: package (0x7f for apps, 0x01 for the framework), type and entry index. */
export function splitResourceId(id: number): { packageId: number; typeId: number; entryIndex: number } {
  return { packageId: id >>> 24, typeId: (id >>> 16) & 0xff, entryIndex: id & 0xffff };
}

export function formatResourceId(id: number): string {
  return `0x${(id >>> 0).toString(16).padStart(8, '0')}`;
}

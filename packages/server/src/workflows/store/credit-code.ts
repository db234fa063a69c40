// 统一社会信用代码 (unified social credit code) and the organisation code inside it, checked by their
// standards' check-character algorithms. Written from the published weights:
// - GB 32100-2015《法人和其他组织统一社会信用代码编码规则》: 18 characters over a 31-character
//   alphabet (the digits and the capital letters without I, O, Z, S, V), each value its index in that
//   alphabet; weights W_i = 3^(i-1) mod 31 for positions 1–17 (1 3 9 27 19 26 16 17 20 29 25 13 8 24
//   10 30 28); the 18th character is the one whose value is 31 − (Σ C_i·W_i mod 31), 31 read as 0.
//   Positions: 1 registration authority, 2 organisation type, 3–8 administrative division code,
//   9–17 the organisation code (主体标识码), 18 the check character.
// - GB 11714-1997《全国组织机构代码编制规则》: 8 body characters (digits, or capital letters valued
//   A=10 … Z=35) and a check character C9 = 11 − (Σ C_i·W_i mod 11) with weights 3 7 9 10 5 8 4 2;
//   10 is written X and 11 is written 0.
// Worked by hand (the tests keep these vectors):
//   org code body 12345678: 1·3+2·7+3·9+4·10+5·5+6·8+7·4+8·2 = 201; 201 mod 11 = 3; 11−3 = 8 → 123456788.
//   USCC 91110108 + 123456788: Σ = 1133; 1133 mod 31 = 17; 31−17 = 14 → 'E' → 91110108123456788E.
//   org code body MA01HJ2K (M=22 A=10 H=17 J=19 K=20): Σ = 431; 431 mod 11 = 2; 11−2 = 9 → MA01HJ2K9;
//   USCC 91440300 + MA01HJ2K9 (alphabet values M=21 A=10 H=17 J=18 K=19): Σ = 2367; 2367 mod 31 = 11;
//   31−11 = 20 → 'L' → 91440300MA01HJ2K9L.

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** The check character of the first 17 characters of a credit code, or null if one is outside the alphabet. */
export function usccCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * USCC_WEIGHTS[i]!;
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[check]!;
}

function orgCodeValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (ch >= 'A' && ch <= 'Z') return ch.charCodeAt(0) - 55;
  return -1;
}

/** The check character of an organisation code's 8-character body (GB 11714), or null. */
export function orgCodeCheckChar(body: string): string | null {
  if (body.length !== 8) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const value = orgCodeValue(body[i]!);
    if (value < 0) return null;
    sum += value * ORG_CODE_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

export interface CodeProblem {
  en: string;
  zh: string;
}

/** Why `code` is not a valid 统一社会信用代码, or null when it is. */
export function creditCodeProblem(code: string): CodeProblem | null {
  if (code.length !== 18) return { en: `must be 18 characters, not ${code.length}`, zh: `须为 18 位，实为 ${code.length} 位` };
  for (let i = 0; i < 18; i++)
    if (!USCC_ALPHABET.includes(code[i]!))
      return {
        en: `character ${i + 1} (${JSON.stringify(code[i])}) is not one of ${USCC_ALPHABET} (GB 32100-2015)`,
        zh: `第 ${i + 1} 位（${JSON.stringify(code[i])}）不在代码字符集 ${USCC_ALPHABET} 中（GB 32100-2015）`,
      };
  const orgCode = code.slice(8, 17);
  const orgCheck = orgCodeCheckChar(orgCode.slice(0, 8));
  if (orgCheck !== orgCode[8])
    return {
      en: `the organisation code ${orgCode} (characters 9–17) fails its GB 11714 check: expected ${orgCheck ?? '?'} at character 17`,
      zh: `主体标识码 ${orgCode}（第 9–17 位）未通过 GB 11714 校验：第 17 位应为 ${orgCheck ?? '?'}`,
    };
  const check = usccCheckChar(code.slice(0, 17));
  if (check !== code[17])
    return {
      en: `the check character (18th) should be ${check ?? '?'} (GB 32100-2015)`,
      zh: `校验码（第 18 位）应为 ${check ?? '?'}（GB 32100-2015）`,
    };
  return null;
}

/**
 * APP 备案号 as MIIT writes them for apps: province abbreviation, "ICP备", the filing number, "号",
 * and the app's suffix "-<n>A" (e.g. 京ICP备2023012345号-1A). The filing obligation is 工信部信管〔2023〕105号
 * (/work/shared/docs/regulation.md §3.5); the number's exact format was not found in the shared
 * sources, so the pattern is configuration (ServerConfig.appFilingPattern) and this is only its default.
 */
export const DEFAULT_APP_FILING_PATTERN = '^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP备\\d{6,12}号-\\d{1,4}A$';

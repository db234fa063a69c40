// A browser's part in the console tests, over app.inject: a cookie jar, the CSRF token read from
// the page's hidden field, urlencoded and multipart forms as a browser sends them.
import type { Api } from '../../src/http/app.js';

export interface Page {
  status: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  location: string | undefined;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly app: Api) {}

  private remember(setCookie: unknown): void {
    const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    for (const line of list as string[]) {
      const [pair, ...attrs] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async request(method: 'GET' | 'POST', url: string, payload?: string | Buffer, headers: Record<string, string> = {}): Promise<Page> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...this.cookieHeader(), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    this.remember(res.headers['set-cookie']);
    const location = res.headers.location;
    return { status: res.statusCode, body: res.body, headers: res.headers, location: typeof location === 'string' ? location : undefined };
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', url, undefined, headers);
  }

  postForm(url: string, fields: Record<string, string | string[]>): Promise<Page> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request('POST', url, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  postMultipart(url: string, fields: Record<string, string>, file?: { name: string; content: Buffer; type?: string }): Promise<Page> {
    const boundary = `----console${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields))
      parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    if (file)
      parts.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: ${file.type ?? 'application/vnd.android.package-archive'}\r\n\r\n`,
        ),
        file.content,
        Buffer.from('\r\n'),
      );
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.request('POST', url, Buffer.concat(parts), { 'content-type': `multipart/form-data; boundary=${boundary}` });
  }

  /** Signs in through the form; returns the page the redirect lands on. */
  async signIn(login: string, password: string, next?: string): Promise<Page> {
    const form = await this.get(`/console/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    const res = await this.postForm('/console/login', { _csrf: csrfOf(form.body), login, password, ...(next ? { next } : {}) });
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${res.body.slice(0, 300)}`);
    return res;
  }
}

/** The CSRF token of a page's forms (the hidden field). */
export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`no CSRF field in the page: ${page.slice(0, 300)}`);
  return match[1]!;
}

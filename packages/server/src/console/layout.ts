import { html, type SafeHtml } from './html.js';
import { t, type ConsoleLang } from './i18n.js';

// The frame of every console page: language, skip link, navigation, the language switch (a plain
// link, so it works without JavaScript), one stylesheet and one deferred script from this server.

export interface PageOptions {
  lang: ConsoleLang;
  title: string;
  /** The page's path and query without `lang`, for the language switch. */
  path: string;
  body: SafeHtml;
  /** Extra elements for <head> (a no-script refresh of a progress page). */
  head?: SafeHtml;
  /** The signed-in user: their links and the sign-out form. */
  user?: { login: string; role: string; csrf: string; links: { href: string; label: string }[] };
}

/** A path URL parsing leaves as it is: segments of letters, digits, - and _, no query (a page's own links, /apps/:id). */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$/;

export function withLang(path: string, lang: ConsoleLang): string {
  // What the URL below gives for such a path, without parsing one per link (a list page has fifty).
  if (PLAIN_PATH.test(path)) return `${path}?lang=${lang}`;
  const url = new URL(path, 'http://console.invalid');
  url.searchParams.set('lang', lang);
  return `${url.pathname}${url.search}`;
}

/** The language switch: /console/lang remembers the choice (the ar_lang cookie) and returns to the page in it. */
export function switchHref(path: string, lang: ConsoleLang): string {
  return `/console/lang?${new URLSearchParams({ lang, next: path })}`;
}

export function layout({ lang, title, path, body, head, user }: PageOptions): SafeHtml {
  const other: ConsoleLang = lang === 'zh-CN' ? 'en' : 'zh-CN';
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${t(lang, 'siteName')}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
        ${head ?? ''}
      </head>
      <body>
        <a class="skip" href="#main">${t(lang, 'skipToContent')}</a>
        <header class="top">
          <a class="brand" href="${withLang('/apps', lang)}">${t(lang, 'siteName')}</a>
          <nav aria-label="${lang === 'zh-CN' ? '主导航' : 'Main'}">
            <a href="${withLang('/apps', lang)}">${t(lang, 'navApps')}</a>
            <a href="${withLang('/bulletins', lang)}">${t(lang, 'navBulletins')}</a>
            <a href="${withLang('/rankings', lang)}">${t(lang, 'navRankings')}</a>
            <a href="/api/v1/openapi.json">${t(lang, 'navApi')}</a>
            ${user ? user.links.map((l) => html`<a href="${withLang(l.href, lang)}">${l.label}</a>`) : html`<a href="${withLang('/console', lang)}">${t(lang, 'navLogin')}</a>`}
            <a href="${switchHref(path, other)}" hreflang="${other}" lang="${other}">${t(lang, 'switchLanguage')}</a>
          </nav>
          ${
            user
              ? html`<form class="signout" method="post" action="${withLang('/console/logout', lang)}">
                  <input type="hidden" name="_csrf" value="${user.csrf}" />
                  <input type="hidden" name="lang" value="${lang}" />
                  <span class="who">${user.login} · ${user.role}</span>
                  <button type="submit">${t(lang, 'signOut')}</button>
                </form>`
              : ''
          }
        </header>
        <main id="main">${body}</main>
        <footer>
          <p>${t(lang, 'timeZoneNote')} <a href="${withLang('/stop-access', lang)}">${t(lang, 'navStopAccess')}</a></p>
        </footer>
      </body>
    </html>`;
}

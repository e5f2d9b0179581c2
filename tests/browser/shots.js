// SPDX-License-Identifier: MIT
// Opens pages in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) at the given widths, takes a full-page screenshot of
// each, and checks three things, printing one JSON line per page and width:
//   - every chart (img.chart, or every img of a mail) loaded and is not
//     blank: the pixel variance of its box on the screen, measured on the
//     screenshot of that box;
//   - no text overflows its box: an element with content wider than its
//     box (scrollWidth > clientWidth), or a page wider than the window;
//   - nothing is requested off the machine: every request is to 127.0.0.1,
//     localhost, [::1], or a data: or file: URL; others are aborted and
//     reported.
// usage: node shots.js OUTDIR WIDTHS NAME=URL...   (WIDTHS: "390,1280")
// Exit status 0 when every check passed, 1 otherwise.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLocal(u) {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'file:' || url.protocol === 'about:')
        return true;
    return LOCAL.has(url.hostname);
}

// in the page: the variance of the luminance of a PNG (a data: URL)
async function variance(page, png) {
    return page.evaluate(async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0, s = 0, s2 = 0;
        for (let i = 0; i < d.length; i += 4) {
            const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
            n++;
            s += y;
            s2 += y * y;
        }
        const m = s / n;
        return s2 / n - m * m;
    }, 'data:image/png;base64,' + png.toString('base64'));
}

// in the page: elements whose content overflows their box
function overflowing() {
    const out = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth + 1)
        out.push(`the page is ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
    for (const el of document.body.querySelectorAll('*')) {
        const cs = getComputedStyle(el);
        if (cs.display === 'inline' || cs.display === 'none' || el.clientWidth === 0)
            continue;
        if (['IMG', 'PICTURE', 'SOURCE', 'STYLE', 'TITLE', 'META'].includes(el.tagName))
            continue;
        if (el.scrollWidth > el.clientWidth + 1)
            out.push(`<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> ` +
                `"${(el.textContent || '').trim().slice(0, 40)}": content ${el.scrollWidth} px ` +
                `in ${el.clientWidth} px`);
    }
    return out;
}

async function main() {
    const [outdir, widthsArg, ...pages] = process.argv.slice(2);
    const widths = widthsArg.split(',').map(Number);
    fs.mkdirSync(outdir, { recursive: true });
    const userDir = fs.mkdtempSync(path.join(outdir, 'profile-'));
    const browser = await chromium.launchPersistentContext(userDir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        chromiumSandbox: false,
        args: ['--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    let ok = true;
    try {
        for (const spec of pages) {
            const eq = spec.indexOf('=');
            const name = spec.slice(0, eq), url = spec.slice(eq + 1);
            for (const w of widths) {
                const page = await browser.newPage();
                await page.setViewportSize({ width: w, height: 800 });
                const offsite = [];
                await page.route('**/*', (route) => {
                    const u = route.request().url();
                    if (isLocal(u))
                        return route.continue();
                    offsite.push(u);
                    return route.abort();
                });
                await page.goto(url, { waitUntil: 'networkidle', timeout: 90000 });
                const shot = path.join(outdir, `${name}-${w}.png`);
                await page.screenshot({ path: shot, fullPage: true });
                const sel = name.startsWith('mail') ? 'img' : 'img.chart';
                const charts = [];
                for (const img of await page.$$(sel)) {
                    const loaded = await img.evaluate((e) => e.complete && e.naturalWidth > 0);
                    const box = await img.boundingBox();
                    const v = loaded && box && box.width > 0 ?
                        await variance(page, await img.screenshot()) : 0;
                    charts.push({
                        src: (await img.getAttribute('src')).slice(0, 60),
                        box: box && [box.x, box.y, box.width, box.height].map(Math.round),
                        loaded, variance: Math.round(v),
                    });
                }
                const over = await page.evaluate(overflowing);
                const blank = charts.filter((c) => !c.loaded || c.variance < 50);
                const pass = charts.length > 0 && blank.length === 0 && over.length === 0 &&
                    offsite.length === 0;
                ok = ok && pass;
                console.log(JSON.stringify({ name, width: w, pass, screenshot: shot, charts,
                    overflow: over, offsite }));
                await page.close();
            }
        }
    } finally {
        await browser.close();
        fs.rmSync(userDir, { recursive: true, force: true });
    }
    process.exit(ok ? 0 : 1);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});

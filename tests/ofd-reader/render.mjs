// render.mjs OFD PNG WIDTH: page 1 of OFD as ofd.js (tests/ofd-reader/page.html) draws it in
// headless chromium (CHROMIUM, else /usr/bin/chromium, driven by playwright-core), WIDTH
// pixels wide, saved as PNG. The page and the OFD are served over http on localhost (ofd.js
// fetches the file; file:// refuses that). Prints the page's pixel size; exit 1 with ofd.js's
// or the browser's error when the page cannot be drawn, 3 when chromium does not start.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [ofdPath, pngPath, widthArg] = process.argv.slice(2);
if (!ofdPath || !pngPath || !(Number(widthArg) > 0)) {
    console.error("usage: node render.mjs OFD PNG WIDTH");
    process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const mod = (p) => path.join(here, "node_modules", p);
const files = {
    "/page.html": [path.join(here, "page.html"), "text/html; charset=utf-8"],
    "/lib/ofd.umd.min.js": [mod("ofd.js/lib/ofd.umd.min.js"), "text/javascript"],
    "/doc.ofd": [path.resolve(ofdPath), "application/octet-stream"],
};
const server = http.createServer((req, res) => {
    const f = files[new URL(req.url, "http://localhost").pathname];
    if (!f) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "Content-Type": f[1] });
    fs.createReadStream(f[0]).pipe(res);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));

let browser;
try {
    browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
        // root (a CI container) has no sandbox; fonts and colours as the PNG shows them
        args: ["--no-sandbox", "--font-render-hinting=none", "--force-color-profile=srgb"],
    });
} catch (e) {
    console.error(`chromium does not start: ${String(e.message).split("\n")[0]}`);
    server.close();
    process.exit(3);
}
let rc = 0;
try {
    const page = await browser.newPage({ viewport: { width: Number(widthArg) + 50, height: 2000 }, deviceScaleFactor: 1 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/page.html?width=${widthArg}`);
    await page.waitForFunction(() => window.ofdResult, null, { timeout: 120000 });
    const r = await page.evaluate(() => window.ofdResult);
    if (r.error) throw new Error(`ofd.js: ${r.error}`);
    await page.locator("#page > div").first().screenshot({ path: pngPath });
    console.log(`${r.width}x${r.height} pages=${r.pages}${errors.length ? " errors: " + errors.join("; ") : ""}`);
} catch (e) {
    console.error(String(e.message || e));
    rc = 1;
}
await browser.close();
server.close();
process.exit(rc);

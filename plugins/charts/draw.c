/* draw.c: colours, primitives, text that fits, arcs, the title row and the legend. */
#include "charts.h"

#include <math.h>
#include <string.h>

/* Series colours after the theme's primary, accent, bar and muted. */
static const cx_rgb PALETTE[] = {
    {0.165f, 0.616f, 0.561f}, /* teal   #2a9d8f */
    {0.914f, 0.635f, 0.231f}, /* amber  #e9a23b */
    {0.416f, 0.600f, 0.306f}, /* green  #6a994e */
    {0.482f, 0.369f, 0.655f}, /* purple #7b5ea7 */
    {0.612f, 0.400f, 0.267f}, /* brown  #9c6644 */
    {0.820f, 0.286f, 0.357f}, /* rose   #d1495b */
    {0.380f, 0.635f, 0.820f}, /* sky    #61a2d1 */
    {0.584f, 0.565f, 0.255f}, /* olive  #959041 */
};
#define NPALETTE (sizeof PALETTE / sizeof PALETTE[0])

cx_rgb cx_rgb3(const float v[3]) { return (cx_rgb){v[0], v[1], v[2]}; }

static float dist(cx_rgb a, cx_rgb b) { return fabsf(a.r - b.r) + fabsf(a.g - b.g) + fabsf(a.b - b.b); }

cx_rgb cx_color(const cb_theme *t, size_t i)
{
    cx_rgb cand[4 + NPALETTE], chosen[4 + NPALETTE];
    size_t nc = 0, n = 0;
    cand[nc++] = cx_rgb3(t->primary);
    cand[nc++] = cx_rgb3(t->accent);
    cand[nc++] = cx_rgb3(t->bar);
    cand[nc++] = cx_rgb3(t->muted);
    for (size_t k = 0; k < NPALETTE; k++) cand[nc++] = PALETTE[k];
    /* a template may repeat a colour or use a near-white one: skip those */
    for (size_t k = 0; k < nc; k++) {
        cx_rgb c = cand[k];
        int ok = !(c.r > 0.9f && c.g > 0.9f && c.b > 0.9f);
        for (size_t j = 0; j < n && ok; j++) ok = dist(c, chosen[j]) >= 0.2f;
        if (ok) chosen[n++] = c;
    }
    return chosen[i % n];
}

void cx_fill(const cb_host_api *api, cb_canvas *cv, cx_rgb c) { api->set_fill_rgb(cv, c.r, c.g, c.b); }

void cx_stroke(const cb_host_api *api, cb_canvas *cv, cx_rgb c, float width)
{
    api->set_stroke_rgb(cv, c.r, c.g, c.b);
    api->set_line_width(cv, width);
    api->set_dash(cv, 0, 0);
}

void cx_hline(const cb_host_api *api, cb_canvas *cv, float x0, float x1, float y, float w, cx_rgb c)
{
    cx_stroke(api, cv, c, w);
    api->move_to(cv, x0, y);
    api->line_to(cv, x1, y);
    api->stroke(cv);
}

void cx_vline(const cb_host_api *api, cb_canvas *cv, float x, float y0, float y1, float w, cx_rgb c)
{
    cx_stroke(api, cv, c, w);
    api->move_to(cv, x, y0);
    api->line_to(cv, x, y1);
    api->stroke(cv);
}

void cx_text(const cb_host_api *api, cb_canvas *cv, float x, float y, float size, int align, cx_rgb c,
             const char *s)
{
    if (!s || !*s) return;
    cx_fill(api, cv, c);
    api->text(cv, x, y, size, align, s);
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t u8len(const char *s)
{
    unsigned char b = (unsigned char)*s;
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (!s[i]) return i;
    return n;
}

size_t cx_fit_prefix(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw)
{
    char buf[512];
    size_t best = 0, i = 0, len = strlen(s);
    while (i < len) {
        size_t next = i + u8len(s + i);
        if (next >= sizeof buf) break;
        memcpy(buf, s, next);
        buf[next] = 0;
        if (api->text_width(cv, size, buf) > maxw) break;
        best = i = next;
    }
    return best;
}

size_t cx_break_prefix(const cb_host_api *api, const cb_canvas *cv, const char *s, float size, float maxw,
                       size_t *next)
{
    cb_text_line l[2];
    size_t n = api->break_lines(cv, size, s, maxw, l, 2);
    *next = n >= 2 ? l[1].start : strlen(s);
    return n && l[0].width <= maxw ? l[0].len : 0;
}

void cx_text_fit(const cb_host_api *api, cb_canvas *cv, float x, float y, float size, int align, cx_rgb c,
                 const char *s, float maxw)
{
    if (!s || !*s) return;
    if (api->text_width(cv, size, s) <= maxw) {
        cx_text(api, cv, x, y, size, align, c, s);
        return;
    }
    static const char ell[] = "…";
    float ew = api->text_width(cv, size, ell);
    size_t cut = cx_fit_prefix(api, cv, s, size, maxw - ew);
    char buf[520];
    if (cut > sizeof buf - sizeof ell) cut = sizeof buf - sizeof ell;
    memcpy(buf, s, cut);
    memcpy(buf + cut, ell, sizeof ell);
    cx_text(api, cv, x, y, size, align, c, cut ? buf : ell);
}

void cx_arc(const cb_host_api *api, cb_canvas *cv, float cx, float cy, float r, double a0, double a1,
            int move)
{
    double sweep = a1 - a0;
    int n = (int)ceil(fabs(sweep) / (CX_PI / 2) - 1e-9);
    if (n < 1) n = 1;
    double th = sweep / n, k = 4.0 / 3.0 * tan(th / 4);
    float x = cx + r * (float)cos(a0), y = cy + r * (float)sin(a0);
    if (move) api->move_to(cv, x, y);
    else api->line_to(cv, x, y);
    for (int i = 0; i < n; i++) {
        double a = a0 + th * i, b = a + th;
        double ax = cos(a), ay = sin(a), bx = cos(b), by = sin(b);
        api->curve_to(cv, cx + r * (float)(ax - k * ay), cy + r * (float)(ay + k * ax),
                      cx + r * (float)(bx + k * by), cy + r * (float)(by - k * bx),
                      cx + r * (float)bx, cy + r * (float)by);
    }
}

void cx_circle(const cb_host_api *api, cb_canvas *cv, float cx, float cy, float r)
{
    cx_arc(api, cv, cx, cy, r, 0, 2 * CX_PI, 1);
    api->close_path(cv);
}

float cx_baseline(float top, float rowh, float size) { return top - rowh / 2 - size * 0.35f; }

float cx_level(float mid, float size) { return mid - 0.38f * size; }

float cx_title(const cb_host_api *api, cb_canvas *cv, const cx_chart *c, float width, float top)
{
    if (!c->title || !*c->title) return top;
    const cb_theme *t = api->theme(cv);
    float size = t->body_size, rowh = size * 1.9f;
    cx_text_fit(api, cv, 0, cx_baseline(top, rowh, size), size, 0, cx_rgb3(t->text), c->title, width);
    return top - rowh;
}

const char *cx_word(const cb_host_api *api, const cb_canvas *cv, const char *zh, const char *en)
{
    const char *lang = api->theme(cv)->lang;
    return lang && strcmp(lang, "en") == 0 ? en : zh;
}

void cx_nodata(const cb_host_api *api, cb_canvas *cv, float x, float y, float w, float h, int patch,
               const char *label)
{
    const cb_theme *t = api->theme(cv);
    const char *msg = label ? label : cx_word(api, cv, "暂无数据", "No data");
    float size = t->small_size, tw = api->text_width(cv, size, msg);
    if (patch) { /* a clear patch over any gridline */
        cx_fill(api, cv, (cx_rgb){1, 1, 1});
        api->rect(cv, x + w / 2 - tw / 2 - 4, y + h / 2 - size * 0.8f, tw + 8, size * 1.6f);
        api->fill(cv);
    }
    cx_text(api, cv, x + w / 2, y + h / 2 - size * 0.35f, size, 1, cx_rgb3(t->muted), msg);
}

static void legend_key(const cb_host_api *api, cb_canvas *cv, char key, float x, float y, float size, cx_rgb c)
{
    if (key == 'l') {
        float mid = y + size * 0.32f;
        cx_hline(api, cv, x, x + 14, mid, 1.6f, c);
        cx_fill(api, cv, (cx_rgb){1, 1, 1});
        cx_stroke(api, cv, c, 1.2f);
        cx_circle(api, cv, x + 7, mid, 2.2f);
        api->fill_stroke(cv);
    } else {
        float s = size * 0.85f;
        cx_fill(api, cv, c);
        api->rect(cv, x, y - size * 0.1f, s, s);
        api->fill(cv);
    }
}

float cx_legend(const cb_host_api *api, cb_canvas *cv, const cx_legend_item *items, size_t n, char key,
                const char *left_text, float width, float top, int draw)
{
    const cb_theme *t = api->theme(cv);
    float size = t->small_size, rowh = size * 2.0f, keyw = key == 'l' ? 14 : size * 0.85f;
    float gap = 12, left_w = left_text && *left_text ? api->text_width(cv, size - 0.5f, left_text) : 0;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) shown += items[i].name && *items[i].name;
    if (!shown && left_w == 0) return 0;
    if (draw && left_w > 0)
        cx_text(api, cv, 0, cx_baseline(top, rowh, size - 0.5f), size - 0.5f, 0, cx_rgb3(t->muted), left_text);
    /* rows are filled left to right, then each row is pushed to the right edge */
    float maxname = width * 0.45f;
    size_t i = 0;
    int row = 0;
    while (i < n) {
        float room = width - (row == 0 && left_w > 0 ? left_w + 16 : 0);
        size_t first = i;
        float used = 0;
        while (i < n) {
            if (!items[i].name || !*items[i].name) {
                i++;
                continue;
            }
            float tw = fminf(api->text_width(cv, size, items[i].name), maxname);
            float w = keyw + 4 + tw + (used > 0 ? gap : 0);
            if (used > 0 && used + w > room) break;
            used += w;
            i++;
        }
        if (draw) {
            float x = width - used, base = cx_baseline(top - row * rowh, rowh, size);
            int firstdrawn = 1;
            for (size_t k = first; k < i; k++) {
                if (!items[k].name || !*items[k].name) continue;
                if (!firstdrawn) x += gap;
                firstdrawn = 0;
                legend_key(api, cv, key, x, base, size, items[k].color);
                x += keyw + 4;
                float tw = fminf(api->text_width(cv, size, items[k].name), maxname);
                cx_text_fit(api, cv, x, base, size, 0, cx_rgb3(t->text), items[k].name, maxname);
                x += tw;
            }
        }
        if (used > 0 || row == 0) row++;
        if (used == 0) break;
    }
    if (row == 0) row = 1;
    return row * rowh;
}

/* spark.c: chart.sparkline, a key figure with a small line of its history. */
#include "charts.h"

#include <math.h>

static const char *const KEYS[] = {"label", "value", "values", "height", NULL};

void *cx_spark_create(lua_State *L, int opts, const cb_host_api *api)
{
    opts = lua_absindex(L, opts);
    cx_chart *c = cx_begin(L, opts, CX_SPARK, "chart.sparkline", KEYS, api);
    c->label = cx_opt_string(L, opts, "label", c, 1);
    c->value = cx_opt_string(L, opts, "value", c, 1);
    c->height = cx_opt_height(L, opts, c, 48, 24, 200);
    lua_getfield(L, opts, "values");
    if (lua_isnil(L, -1)) luaL_error(L, "chart.sparkline: 'values' is required (a list of numbers)");
    c->v = cx_read_values(L, -1, &c->nv, "chart.sparkline: 'values'");
    lua_pop(L, 1);
    return cx_commit(L, c);
}

void cx_spark_draw(void *state, const cb_host_api *api, cb_canvas *cv, float w, float h)
{
    cx_chart *c = state;
    const cb_theme *t = api->theme(cv);
    float pad = 12;
    cx_fill(api, cv, cx_rgb3(t->panel));
    api->rect(cv, 0, 0, w, h);
    api->fill(cv);
    cx_fill(api, cv, cx_rgb3(t->primary));
    api->rect(cv, 0, 0, 3, h);
    api->fill(cv);

    /* the figure and its label, left */
    float ls = fminf(t->small_size, h * 0.2f), vs = fminf(h * 0.42f, 22);
    float room = w * 0.5f - pad;
    while (vs > ls && api->text_width(cv, vs, c->value) > room) vs -= 0.5f;
    float block = vs * 0.75f + ls * 0.45f + ls * 0.9f;
    float vbase = h / 2 + block / 2 - vs * 0.75f;
    cx_text_fit(api, cv, pad, vbase, vs, 0, cx_rgb3(t->accent), c->value, room);
    cx_text_fit(api, cv, pad, vbase - ls * 0.45f - ls * 0.75f - vs * 0.05f, ls, 0, cx_rgb3(t->muted), c->label, room);

    /* the line, right */
    float vw = fminf(api->text_width(cv, vs, c->value), room);
    float sx0 = fmaxf(w * 0.5f, pad + vw + 24), sx1 = w - pad - 3, sy0 = h * 0.2f, sy1 = h * 0.8f;
    if (sx1 - sx0 < 20 || c->nv == 0) return;
    double lo = INFINITY, hi = -INFINITY;
    size_t last = c->nv;
    for (size_t i = 0; i < c->nv; i++) {
        if (isnan(c->v[i])) continue;
        if (c->v[i] < lo) lo = c->v[i];
        if (c->v[i] > hi) hi = c->v[i];
        last = i;
    }
    if (last == c->nv) return;
    float step = c->nv > 1 ? (sx1 - sx0) / (float)(c->nv - 1) : 0;
#define SX(i) (c->nv > 1 ? sx0 + step * (float)(i) : sx1)
#define SY(v) (hi > lo ? sy0 + (float)(((v) - lo) / (hi - lo)) * (sy1 - sy0) : (sy0 + sy1) / 2)
    /* a faint baseline at the lowest value */
    cx_hline(api, cv, sx0, sx1, sy0, 0.4f, cx_rgb3(t->rule));
    cx_stroke(api, cv, cx_rgb3(t->primary), 1.4f);
    int open = 0;
    for (size_t i = 0; i < c->nv; i++) {
        if (isnan(c->v[i])) {
            open = 0;
            continue;
        }
        if (open) api->line_to(cv, SX(i), SY(c->v[i]));
        else api->move_to(cv, SX(i), SY(c->v[i]));
        open = 1;
    }
    api->stroke(cv);
    cx_fill(api, cv, cx_rgb3(t->accent));
    cx_stroke(api, cv, (cx_rgb){1, 1, 1}, 0.8f);
    cx_circle(api, cv, SX(last), SY(c->v[last]), 2.8f);
    api->fill_stroke(cv);
#undef SX
#undef SY
}

/* plugin_host.c: the host API table plugins are initialised with (countybrief/plugin.h),
 * its calls that are not drawing (canvas.c's) nor registration (plugin_registry.c's), and
 * the sink a data source's tables go through into the dataset builder (data.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "canvas.h"
#include "numfmt.h"
#include "plugin_int.h"

/* ------------------------------------------------------------------ strings and warnings */

static char *host_strdup(const char *s) { return s ? cb_xstrdup(s) : NULL; }
static void host_free(void *p) { free(p); }

static void host_warn(cb_plugin *self, const char *message)
{
    char *line = cb_clean_asprintf("countybrief: warning: plugin %s: %s",
                              self && self->info ? self->info->name : "?", message ? message : "");
    if (cb__in_probe()) cb__probe_tell('W', line); /* the parent prints it if it refuses the plugin */
    else fprintf(stderr, "%s\n", line);
    free(line);
}

/* ------------------------------------------------------------------ the data sink */

struct cb_table_sink {
    cb_dataset_builder *b;
    cb_error err;
    int failed;
    size_t ncols;
    cb_value *row;
};

static int sink_fail(cb_table_sink *s, int rc)
{
    s->failed = 1;
    return rc;
}

static int host_table_begin(cb_table_sink *s, const char *name, const char *origin, size_t ncols,
                            const char *const *columns)
{
    if (s->failed) return CB_EDATA;
    int rc = cb_dataset_builder_table(s->b, name, origin ? origin : name, ncols, columns, &s->err);
    if (rc != CB_OK) return sink_fail(s, rc);
    s->ncols = ncols;
    free(s->row);
    s->row = cb_xcalloc(ncols ? ncols : 1, sizeof *s->row);
    return CB_OK;
}

static int host_table_row(cb_table_sink *s, const cb_cell *cells, size_t line)
{
    if (s->failed) return CB_EDATA;
    for (size_t i = 0; i < s->ncols; i++) {
        cb_value *v = &s->row[i];
        memset(v, 0, sizeof *v);
        if (cells[i].type == CB_CELL_NUMBER && isfinite(cells[i].number)) {
            v->type = CB_T_NUMBER;
            v->num = cells[i].number;
        } else if (cells[i].type == CB_CELL_TEXT && cells[i].text && cells[i].text[0]) {
            v->type = CB_T_TEXT;
            v->text = cells[i].text;
        }
    }
    int rc = cb_dataset_builder_row(s->b, s->row, line, &s->err);
    return rc == CB_OK ? CB_OK : sink_fail(s, rc);
}

static int host_table_end(cb_table_sink *s)
{
    if (s->failed) return CB_EDATA;
    int rc = cb_dataset_builder_end_table(s->b, &s->err);
    return rc == CB_OK ? CB_OK : sink_fail(s, rc);
}

int cb_plugins_load_dataset(const cb_source_type *src, const char *location, const char *data_arg,
                            cb_dataset *ds, cb_error *err)
{
    cb_table_sink sink = {0};
    sink.b = cb_dataset_builder_new(data_arg);
    char *perr = NULL;
    int rc = src->load(location, &sink, cb_host_api_get(), &perr);
    if (sink.failed) {
        rc = cb_fail(err, sink.err.code ? sink.err.code : CB_EDATA, "%s", sink.err.msg);
    } else if (rc != CB_OK) {
        if (perr) rc = cb_fail(err, rc < 0 ? rc : CB_EDATA, "%s", perr);
        else rc = cb_fail(err, rc < 0 ? rc : CB_EDATA, "--data %s: data source '%s' failed (code %d) and gave no reason",
                          data_arg, src->name, rc);
    }
    free(perr);
    free(sink.row);
    if (rc != CB_OK) {
        cb_dataset_builder_free(sink.b);
        return rc;
    }
    return cb_dataset_builder_finish(sink.b, ds, err);
}

/* A plugin block's options, checked as a built-in's (blocks.h). */
static void host_check_options(lua_State *L, int opts, const char *what, const char *const *keys)
{
    cb_check_options(L, opts, what, keys, 0);
}

/* ------------------------------------------------------------------ the table */

static const cb_host_api HOST = {
    .struct_size = sizeof(cb_host_api),
    .abi_major = CB_PLUGIN_ABI_MAJOR,
    .abi_minor = CB_PLUGIN_ABI_MINOR,
    .strdup = host_strdup,
    .free = host_free,
    .warn = host_warn,
    .register_block = cb__register_block,
    .register_lua_module = cb__register_lua_module,
    .register_source = cb__register_source,
    .set_fill_rgb = cb_canvas_set_fill_rgb,
    .set_stroke_rgb = cb_canvas_set_stroke_rgb,
    .set_line_width = cb_canvas_set_line_width,
    .set_dash = cb_canvas_set_dash,
    .move_to = cb_canvas_move_to,
    .line_to = cb_canvas_line_to,
    .curve_to = cb_canvas_curve_to,
    .close_path = cb_canvas_close_path,
    .rect = cb_canvas_rect,
    .fill = cb_canvas_fill,
    .stroke = cb_canvas_stroke,
    .fill_stroke = cb_canvas_fill_stroke,
    .text = cb_canvas_text,
    .text_width = cb_canvas_text_width,
    .theme = cb_canvas_theme,
    .format_yuan = cb_fmt_yuan,
    .format_count = cb_fmt_count,
    .format_decimal = cb_fmt_decimal,
    .table_begin = host_table_begin,
    .table_row = host_table_row,
    .table_end = host_table_end,
    .break_lines = cb_canvas_break_lines,
    .format_money = cb_canvas_format_money,
    .format_quantity = cb_canvas_format_quantity,
    .nice_ticks = cb_nice_ticks, /* layout.h: doc:barchart's, the one implementation */
    .check_options = host_check_options,
    .describe = cb_canvas_describe,
    .caption = cb_canvas_caption,
};

const cb_host_api *cb_host_api_get(void) { return &HOST; }

/* lua_os.c: the os table of report scripts (lua_int.h), as loslib.c's but with a fixed
 * clock, UTC and the C locale, so that a report renders the same on every machine and run;
 * the rest of the real os library reads as a clear error. The C locale is a process-wide
 * cache, made once. */
#include <limits.h>
#include <locale.h>
#include <string.h>
#include <time.h>

#include "doc.h"
#include "lua_int.h"

/* The scripts' clock: the document's date (clock.h), the one its cover and PDF show; with
 * none, an error rather than a date no one chose. */
static lua_Integer fixed_time(lua_State *L)
{
    const cb_doc *d = cb_lua__ctx(L)->doc;
    if (!d->dated)
        luaL_error(L, "the document has no date to read the time from: give render --date YYYY-MM-DD, "
                   "set SOURCE_DATE_EPOCH, or date it with doc:date(\"YYYY-MM-DD\") first");
    return (lua_Integer)d->date;
}

static time_t check_time(lua_State *L, int arg)
{
    lua_Integer t = luaL_checkinteger(L, arg);
    luaL_argcheck(L, (time_t)t == t, arg, "time out-of-bounds");
    return (time_t)t;
}

/* A field of os.time's date table, as loslib.c reads it. */
static int date_field(lua_State *L, const char *key, int d, int delta)
{
    int isnum;
    int ty = lua_getfield(L, 1, key);
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum) {
        if (ty != LUA_TNIL) return luaL_error(L, "field '%s' is not an integer", key);
        if (d < 0) return luaL_error(L, "field '%s' missing in date table", key);
        v = d;
    } else {
        if (!(v >= 0 ? v - delta <= INT_MAX : INT_MIN + delta <= v))
            return luaL_error(L, "field '%s' is out-of-bound", key);
        v -= delta;
    }
    lua_pop(L, 1);
    return (int)v;
}

/* os.time(): the fixed clock; os.time{year=, month=, day=, hour=12, min=0, sec=0}: that
 * moment in UTC (not local time, which would differ between machines). */
static int l_os_time(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, fixed_time(L));
        return 1;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = date_field(L, "year", -1, 1900);
    tm.tm_mon = date_field(L, "month", -1, 1);
    tm.tm_mday = date_field(L, "day", -1, 0);
    tm.tm_hour = date_field(L, "hour", 12, 0);
    tm.tm_min = date_field(L, "min", 0, 0);
    tm.tm_sec = date_field(L, "sec", 0, 0);
    time_t t = timegm(&tm);
    if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
        return luaL_error(L, "time result cannot be represented in this installation");
    lua_pushinteger(L, (lua_Integer)t);
    return 1;
}

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc) loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

static void set_field(lua_State *L, const char *key, int v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* os.date([format [, time]]): as Lua's, always in UTC and the C locale; time defaults to
 * the fixed clock. */
static int l_os_date(lua_State *L)
{
    size_t slen;
    const char *s = luaL_optlstring(L, 1, "%c", &slen);
    time_t t = lua_isnoneornil(L, 2) ? (time_t)fixed_time(L) : check_time(L, 2);
    const char *se = s + slen;
    if (*s == '!') s++; /* UTC is all there is */
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return luaL_error(L, "date result cannot be represented in this installation");
    if (strcmp(s, "*t") == 0) {
        lua_createtable(L, 0, 9);
        set_field(L, "year", tm.tm_year + 1900);
        set_field(L, "month", tm.tm_mon + 1);
        set_field(L, "day", tm.tm_mday);
        set_field(L, "hour", tm.tm_hour);
        set_field(L, "min", tm.tm_min);
        set_field(L, "sec", tm.tm_sec);
        set_field(L, "yday", tm.tm_yday + 1);
        set_field(L, "wday", tm.tm_wday + 1);
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "isdst");
        return 1;
    }
    static const char valid[] = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%"; /* C99 */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    while (s < se) {
        if (*s != '%') {
            luaL_addchar(&b, *s++);
            continue;
        }
        if (++s >= se || !*s || !strchr(valid, *s)) {
            char bad[2] = {s < se ? *s : '\0', '\0'};
            return luaL_argerror(L, 1, lua_pushfstring(L, "invalid conversion specifier '%%%s'", bad));
        }
        char conv[3] = {'%', *s++, '\0'};
        char *buf = luaL_prepbuffsize(&b, 250);
        luaL_addsize(&b, c_locale() ? strftime_l(buf, 250, conv, &tm, c_locale()) : strftime(buf, 250, conv, &tm));
    }
    luaL_pushresult(&b);
    return 1;
}

/* os.clock(): CPU time would differ between runs; it is 0. */
static int l_os_clock(lua_State *L)
{
    lua_pushnumber(L, 0.0);
    return 1;
}

static int l_os_difftime(lua_State *L)
{
    time_t t1 = check_time(L, 1), t2 = lua_isnoneornil(L, 2) ? 0 : check_time(L, 2);
    lua_pushnumber(L, (lua_Number)difftime(t1, t2));
    return 1;
}

/* os.execute and the rest of the real os library: a clear error rather than "attempt to
 * call a nil value". Any other missing name is nil, as usual. */
static int l_os_index(lua_State *L)
{
    static const char *const absent[] = {"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale", NULL};
    const char *k = lua_tostring(L, 2);
    for (int i = 0; k && absent[i]; i++)
        if (strcmp(k, absent[i]) == 0)
            return luaL_error(L, "os.%s is not available in report scripts: they cannot run programs, "
                              "touch files or read the environment", k);
    return 0;
}

void cb_lua__open_os(lua_State *L)
{
    static const luaL_Reg fns[] = {{"time", l_os_time},   {"date", l_os_date},
                                   {"clock", l_os_clock}, {"difftime", l_os_difftime},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, l_os_index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "os");
}

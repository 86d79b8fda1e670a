/*
 * lua_fmt.h: the numfmt.h formatters for report scripts.
 *
 * cb_lua_open_fmt pushes a new table of functions onto L's stack and returns 1; it sets
 * no global, so the caller decides the name (it also fits luaL_requiref). Each function
 * returns a string, "—" for NaN/Inf:
 *
 *   fmt.yuan(n)                          cb_fmt_yuan:      405000000 -> "4.05亿元"
 *   fmt.wan(n)                           cb_fmt_wan:       3000000   -> "300"
 *   fmt.count(n [, unit [, qualifier]])  cb_fmt_count:     30000, "亩", "余" -> "3万余亩"
 *   fmt.percent(ratio [, decimals=1])    cb_fmt_percent:   0.675     -> "67.5%"
 *   fmt.thousands(n [, decimals=0])      cb_fmt_thousands: 1234567.5 -> "1,234,568"
 *   fmt.decimal(n [, decimals=2])        cb_fmt_decimal:   16.470    -> "16.47"
 *
 * Arguments are checked the standard Lua way, so a wrong type raises e.g.
 * "bad argument #1 to 'yuan' (number expected, got string)".
 */
#ifndef CB_LUA_FMT_H
#define CB_LUA_FMT_H

#include <lua.h>

int cb_lua_open_fmt(lua_State *L);

#endif /* CB_LUA_FMT_H */

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
 * cb_lua_open_fmt_en pushes the same table with English yuan and count (--lang en):
 *
 *   fmt.yuan(n)                          cb_fmt_en_yuan:   405000000 -> "CNY 405 million"
 *   fmt.count(n [, unit [, qualifier]])  cb_fmt_en_count:  2396, "person-times", "余"
 *                                                          -> "over 2,396 person-times"
 *
 * Arguments are checked the standard Lua way, so a wrong type raises e.g.
 * "bad argument #1 to 'yuan' (number expected, got string)".
 */
#ifndef CB_LUA_FMT_H
#define CB_LUA_FMT_H

#include <lua.h>

int cb_lua_open_fmt(lua_State *L);
int cb_lua_open_fmt_en(lua_State *L);

#endif /* CB_LUA_FMT_H */

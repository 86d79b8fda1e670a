/*
 * countybrief.h: the engine's public constants, shared by the command-line tool and by
 * compiled plugins built out of tree (found with `pkg-config --cflags countybrief`).
 *
 * Error rule: every countybrief function that can fail returns CB_OK (0) or one of the
 * negative CB_E* codes below, and writes a one-line message that names the place
 * (`data/funds.csv:12:3`, `scripts/briefing.lua:40`, a font or plugin path) into a
 * cb_error the caller owns. Nothing is allocated for the message.
 */
#ifndef COUNTYBRIEF_H
#define COUNTYBRIEF_H

#define CB_VERSION_MAJOR 0
#define CB_VERSION_MINOR 1
#define CB_VERSION_PATCH 0
#define CB_VERSION_STRING "0.1.0"

/* X-macro list of error codes: name, value, short description. */
#define CB_ERRNO_MAP(X)                                        \
    X(OK, 0, "success")                                        \
    X(EUSAGE, -1, "bad command-line usage")                    \
    X(EIO, -2, "file or folder cannot be read or written")     \
    X(EDATA, -3, "bad input data")                             \
    X(ESCRIPT, -4, "report script error")                      \
    X(EFONT, -5, "font missing or unusable")                   \
    X(EPDF, -6, "PDF generation failed")                       \
    X(ENOMEM, -7, "out of memory")                             \
    X(ENOTFOUND, -8, "no such county, report or template")     \
    X(ETEMPLATE, -9, "bad template")                           \
    X(EPLUGIN, -10, "plugin refused or failed")                \
    X(EEXIST, -11, "name already registered")                  \
    X(EOFD, -12, "OFD generation failed")

enum cb_errno {
#define CB__ERRNO_ENUM(name, val, text) CB_##name = (val),
    CB_ERRNO_MAP(CB__ERRNO_ENUM)
#undef CB__ERRNO_ENUM
};

#define CB_ERROR_MSG_MAX 1024

/* A failure's code and its one-line message. Caller-allocated, usually on the stack. */
typedef struct cb_error {
    int code;                     /* CB_OK or a negative CB_E* */
    char msg[CB_ERROR_MSG_MAX];   /* "path:line[:col]: what went wrong", no newline */
} cb_error;

#endif /* COUNTYBRIEF_H */

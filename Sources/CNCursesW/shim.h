// SwiftPM drops pkg-config's -D flags, so the wide-character API must be requested here,
// before curses.h is read, or get_wch/add_wch and cchar_t are missing.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

// Helpers for Swift. Each exists because Swift cannot see or safely use the C construct it
// wraps; all are static inline so this system-library module needs no compiled C file.

// stdscr, COLORS and COLOR_PAIRS are mutable C globals; Swift 6 rejects reading them from
// Swift ("not concurrency-safe"). WharfTerminal calls these only from its @MainActor type.
static inline WINDOW *wharf_stdscr(void) { return stdscr; }
static inline int wharf_colors(void) { return COLORS; }
static inline int wharf_color_pairs(void) { return COLOR_PAIRS; }

// getmaxyx is a macro that assigns to its arguments; Swift does not import it.
static inline int wharf_rows(WINDOW *w) { int r, c; getmaxyx(w, r, c); (void)c; return r; }
static inline int wharf_cols(WINDOW *w) { int r, c; getmaxyx(w, r, c); (void)r; return c; }

// A_* attributes are macros built from NCURSES_BITS shifts; Swift does not import them,
// and hard-coding their values (as some Swift TUIs do) breaks across ncurses builds.
static inline attr_t wharf_attr_normal(void) { return A_NORMAL; }
static inline attr_t wharf_attr_bold(void) { return A_BOLD; }
static inline attr_t wharf_attr_dim(void) { return A_DIM; }
static inline attr_t wharf_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t wharf_attr_reverse(void) { return A_REVERSE; }

// KEY_F(n) is a function-like macro.
static inline int wharf_key_f(int n) { return KEY_F(n); }

// cchar_t holds a fixed C array that Swift imports as a tuple; building it in C is simpler
// and allocation-free. `wch` is a NUL-terminated wide string of at most CCHARW_MAX chars
// (one spacing character plus combining marks). mvwadd_wch returns ERR in the bottom-right
// cell of a window without scrolling; callers ignore that.
static inline int wharf_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, short pair) {
    cchar_t cc;
    memset(&cc, 0, sizeof cc);
    if (setcchar(&cc, wch, attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(w, y, x, &cc);
}

// nl_langinfo(CODESET) after setlocale: the terminal layer falls back to C.UTF-8 when the
// environment's locale is not UTF-8, else wide characters draw as blanks or '?'.
static inline int wharf_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

// Restores the terminal when the process dies from a signal: a Swift trap (SIGILL/SIGTRAP),
// abort or a segfault would otherwise leave the alternate screen on and the cursor hidden.
// endwin() is not async-signal-safe, but the process is about to die and ncurses' own SIGINT
// handling does the same; the handler then restores the default disposition and re-raises so
// the exit status still names the signal. (SIGTERM, SIGINT and SIGHUP are a clean stop instead:
// see WharfTerminal's `StopSignals`.)
static void wharf_crash_handler(int sig) {
    endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static inline void wharf_install_crash_handlers(void) {
    const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], wharf_crash_handler);
}

static inline void wharf_restore_default_signals(void) {
    const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
}

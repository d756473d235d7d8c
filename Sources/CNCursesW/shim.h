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

#ifndef OPSBRAIN_CNCURSES_SHIM_H
#define OPSBRAIN_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

int wcwidth(wchar_t c);

/// Returns the standard screen (global C state is not importable under Swift 6).
static inline WINDOW *opsbrain_stdscr(void) { return stdscr; }
static inline int opsbrain_lines(void) { return LINES; }
static inline int opsbrain_cols(void) { return COLS; }
static inline int opsbrain_colors(void) { return COLORS; }
static inline attr_t opsbrain_a_bold(void) { return A_BOLD; }
static inline attr_t opsbrain_a_reverse(void) { return A_REVERSE; }
static inline attr_t opsbrain_a_dim(void) { return A_DIM; }
static inline attr_t opsbrain_a_underline(void) { return A_UNDERLINE; }
#endif

#ifndef OPSBRAIN_CNCURSES_SHIM_H
#define OPSBRAIN_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <string.h>
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
static inline attr_t opsbrain_a_italic(void) { return A_ITALIC; }
static inline attr_t opsbrain_a_normal(void) { return A_NORMAL; }

/// Sets a window's attributes and colour pair (pairs above SHRT_MAX go through the opts pointer).
static inline int opsbrain_set_style(WINDOW *win, attr_t attrs, int pair) {
    return wattr_set(win, attrs, (NCURSES_PAIRS_T)pair, (void *)&pair);
}

/// Moves and writes `n` wide characters (mvwaddnwstr is a macro).
static inline int opsbrain_put(WINDOW *win, int y, int x, const wchar_t *text, int n) {
    if (wmove(win, y, x) == ERR) return ERR;
    return waddnwstr(win, text, n);
}

/// Reads the cell at (y, x): its character, attributes and colour pair (for headless tests).
static inline int opsbrain_cell(WINDOW *win, int y, int x, wchar_t *character, attr_t *attrs, int *pair) {
    cchar_t cell;
    short shortPair = 0;
    if (wmove(win, y, x) == ERR || win_wch(win, &cell) == ERR) return ERR;
    wchar_t text[CCHARW_MAX + 1];
    if (getcchar(&cell, text, attrs, &shortPair, pair) == ERR) return ERR;
    *character = text[0];
    return OK;
}

/// Reads `n` wide characters of row y from column x (for headless tests).
static inline int opsbrain_row_text(WINDOW *win, int y, int x, wchar_t *buffer, int n) {
    if (wmove(win, y, x) == ERR) return ERR;
    return winnwstr(win, buffer, n);
}

/// The foreground and background of a colour pair.
static inline int opsbrain_pair_colors(int pair, int *fg, int *bg) {
    return extended_pair_content(pair, fg, bg);
}

/// The attribute bits without colour.
/* True when the current terminal can move the cursor (a `dumb` terminal cannot draw a screen). */
static inline int opsbrain_can_address(void) {
    char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1;
}
static inline attr_t opsbrain_attributes_mask(void) { return A_ATTRIBUTES & ~A_COLOR; }

/* The mouse events the console uses, as bits of MEVENT.bstate (the macros do not import into Swift). */
static inline mmask_t opsbrain_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t opsbrain_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t opsbrain_wheel_up(void) { return BUTTON4_PRESSED; }
static inline mmask_t opsbrain_wheel_down(void) { return BUTTON5_PRESSED; }
/* True when the terminal's mouse reports are SGR ones (its kmous is ESC [ <), not X10 (ESC [ M). */
static inline int opsbrain_sgr_mouse(void) {
    char *kmous = tigetstr("kmous");
    return kmous != NULL && kmous != (char *)-1 && strcmp(kmous, "\033[<") == 0;
}
#endif

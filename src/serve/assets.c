/* The page's files by URL path (their bytes: src/serve/web_files.S). */
#include <string.h>

#include "serve/serve.h"

#define ASSET(sym) extern const unsigned char sym[]; extern const unsigned long long sym##_len;
ASSET(rd_web_index_html)
ASSET(rd_web_app_js)
ASSET(rd_web_style_css)
ASSET(rd_web_favicon_svg)
#undef ASSET

int rd_asset_find(const char *path, rd_asset *out) {
    static const struct {
        const char *path, *type;
        const unsigned char *data;
        const unsigned long long *len;
    } TABLE[] = {
        {"/", "text/html; charset=utf-8", rd_web_index_html, &rd_web_index_html_len},
        {"/app.js", "text/javascript; charset=utf-8", rd_web_app_js, &rd_web_app_js_len},
        {"/style.css", "text/css; charset=utf-8", rd_web_style_css, &rd_web_style_css_len},
        {"/favicon.svg", "image/svg+xml", rd_web_favicon_svg, &rd_web_favicon_svg_len},
    };
    if (!strcmp(path, "/index.html")) path = "/";
    for (size_t i = 0; i < sizeof TABLE / sizeof TABLE[0]; i++)
        if (!strcmp(path, TABLE[i].path)) {
            *out = (rd_asset){TABLE[i].path, TABLE[i].type, TABLE[i].data, (size_t)*TABLE[i].len};
            return 1;
        }
    return 0;
}

/* The page's files (web/), compiled into the binary so that rdrop serve needs
 * nothing beside it: each file's bytes, a NUL after them, and its length.
 * src/serve/assets.c lists them with their paths and types. */
    .macro ASSET name, file
    .section .rodata.\name, "a"
    .balign 16
    .global \name
\name:
    .incbin "\file"
\name\()_end:
    .byte 0
    .balign 8
    .global \name\()_len
\name\()_len:
    .quad \name\()_end - \name
    .endm

    ASSET rd_web_index_html, "web/index.html"
    ASSET rd_web_app_js, "web/app.js"
    ASSET rd_web_style_css, "web/style.css"
    ASSET rd_web_favicon_svg, "web/favicon.svg"

    .section .note.GNU-stack, "", @progbits

/* draw-figures [DIR]: draws the docs' figures into DIR (default docs/img).
 * Built and run by `make figures`. */
#include <stdio.h>

#include "figures.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "docs/img";
    static const struct {
        const char *file;
        int (*draw)(const char *path);
    } FIGURES[] = {
        {"rdrop-two-passes.png", fig_two_passes},   /* docs/r-drop.md */
        {"dropout.png", fig_dropout},               /* docs/dropout.md */
        {"kl-asymmetry.png", fig_kl_asymmetry},     /* docs/kl-divergence.md */
        {"worked-graph.png", fig_worked_graph},     /* docs/worked-example.md, docs/autograd.md */
        {"second-order.png", fig_second_order},     /* docs/r-drop.md */
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof FIGURES / sizeof FIGURES[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, FIGURES[i].file);
        failed |= FIGURES[i].draw(path);
    }
    return failed;
}

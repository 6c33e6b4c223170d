/* Which OpenBLAS kernel runs: a generic one on a modern CPU is ~5x slower. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rdrop/train.h"

const char *rd_blas_core(void) { return openblas_get_corename(); }

const char *rd_blas_warning(void) {
    static char msg[512];
    static const char *generic[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                                    "Katmai", "Coppermine", "Northwood", "Banias", "Opteron",
                                    "Barcelona", "Bobcat", "Unknown", NULL};
    const char *core = openblas_get_corename();
    int is_generic = 0;
    for (int i = 0; generic[i]; i++) is_generic |= !strcasecmp(core, generic[i]);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const char *isa = __builtin_cpu_supports("avx512f") ? "AVX-512" : __builtin_cpu_supports("avx2") ? "AVX2" : NULL;
    const char *fix = __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
    if (is_generic && isa) {
        snprintf(msg, sizeof msg,
                 "OpenBLAS runs its generic '%s' kernel on a CPU with %s, about 5x slower: "
                 "set OPENBLAS_CORETYPE=%s in the environment (see README)", core, isa, fix);
        return msg;
    }
#endif
    (void)is_generic;
    return NULL;
}

/* Which OpenBLAS kernel runs: a generic one on a modern CPU is ~5x slower. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rdrop/blas.h"

const char *rd_blas_core(void) { return openblas_get_corename(); }

/* OpenBLAS cores whose sgemm kernels predate AVX2 + FMA: SSE-only ones
 * (what a DYNAMIC_ARCH build falls back to on a CPU it does not know, e.g.
 * Prescott on Sapphire Rapids) and the AVX-only Sandybridge and AMD
 * Bulldozer family. */
static const char *const SLOW[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                                   "Katmai", "Coppermine", "Northwood", "Banias", "Opteron",
                                   "Barcelona", "Bobcat", "Nano", "Sandybridge", "Bulldozer",
                                   "Piledriver", "Steamroller", "Unknown", NULL};

const char *rd_blas_warning_for(const char *core, int has_avx2, int has_avx512) {
    static char msg[512];
    int slow = 0;
    for (int i = 0; SLOW[i]; i++) slow |= !strcasecmp(core, SLOW[i]);
    if (!slow || !(has_avx2 || has_avx512)) return NULL;
    snprintf(msg, sizeof msg,
             "OpenBLAS runs its '%s' kernel on a CPU with %s, 2-5x slower: set "
             "OPENBLAS_CORETYPE=%s in the environment (see README, Performance)",
             core, has_avx512 ? "AVX-512" : "AVX2", has_avx512 ? "SkylakeX" : "Haswell");
    return msg;
}

const char *rd_blas_warning(void) {
    int avx2 = 0, avx512 = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init(); /* checks the OS saves the wide registers too */
    avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    avx512 = __builtin_cpu_supports("avx512f");
#endif
    return rd_blas_warning_for(openblas_get_corename(), avx2, avx512);
}

/* Cores with AVX-512 sgemm kernels in OpenBLAS 0.3.21. */
static const char *const AVX512[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};

const char *rd_blas_faster_kernel_for(const char *core, int has_avx512) {
    static char msg[512];
    int wide = 0;
    for (int i = 0; AVX512[i]; i++) wide |= !strcasecmp(core, AVX512[i]);
    if (wide || !has_avx512) return NULL;
    const char *env = getenv("OPENBLAS_CORETYPE");
    snprintf(msg, sizeof msg,
             "this CPU has AVX-512 but OpenBLAS runs its AVX2 '%s' kernel; `make bench KERNELS=\"%s SkylakeX\"` "
             "checks and times both here (bench/README.md). rdrop leaves OPENBLAS_CORETYPE alone%s%s",
             core, core, env ? ": the environment sets it to " : "", env ? env : "");
    return msg;
}

const char *rd_blas_faster_kernel(void) {
    int avx512 = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    avx512 = __builtin_cpu_supports("avx512f");
#endif
    return rd_blas_faster_kernel_for(openblas_get_corename(), avx512);
}

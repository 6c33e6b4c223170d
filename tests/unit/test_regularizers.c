/* Input dropout, max-norm and the dropout-consistency diagnostics
 * (rd_evaluate_consistency), the features of the R-Drop studies. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rdrop/nn.h"
#include "rdrop/train.h"

enum { B = 6, IN = 20, H = 16, C = 4 };

static void model(rd_mlp *m, float dropout, float input_dropout) {
    rd_rng r;
    rd_rng_seed(&r, 5);
    int hidden[] = {H, H};
    cr_assert_eq(rd_mlp_init(m, IN, hidden, 2, C, RD_ACT_RELU, dropout, RD_INIT_KAIMING, &r, NULL), RD_OK);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.02f;
    m->input_dropout = input_dropout;
}

static void inputs(float *x, int n) {
    rd_rng r;
    rd_rng_seed(&r, 9);
    for (int i = 0; i < n; i++) x[i] = 0.1f + rd_rng_uniform(&r); /* positive, like pixels */
}

/* The oldest LINEAR node of the tape: the first layer's output. */
static rd_tensor *first_layer(const rd_graph *g) {
    rd_tensor *found = NULL;
    for (rd_tensor *t = g->last; t; t = t->prev)
        if (t->op && !strcmp(t->op->name, "linear")) found = t;
    return found;
}

Test(input_dropout, rdrop_copies_get_their_own_first_layer) {
    rd_mlp m;
    float x[B * IN];
    inputs(x, B * IN);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    /* without input dropout the copies share the first product: B rows */
    model(&m, 0.3f, 0.0f);
    rd_rng_seed(&r, 1);
    rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 2, &r);
    cr_assert_eq(first_layer(&g)->rows, B);
    /* with it each copy has its own input mask, so its own first layer: 2B
     * rows, and copy a's row i differs from copy b's row i */
    m.input_dropout = 0.5f;
    rd_graph_reset(&g);
    rd_rng_seed(&r, 1);
    rd_tensor *logits = rd_mlp_forward(&m, &g, rd_input(&g, B, IN, x), 2, &r);
    cr_assert_eq(logits->rows, 2 * B);
    rd_tensor *h = first_layer(&g);
    cr_assert_eq(h->rows, 2 * B);
    for (int i = 0; i < B; i++)
        cr_expect(memcmp(h->data + (size_t)i * H, h->data + (size_t)(B + i) * H, H * sizeof(float)) != 0,
                  "row %d: both copies have the same first-layer output", i);
    rd_graph_free(&g);
    rd_mlp_free(&m);
}

Test(input_dropout, drops_inputs_in_training_only) {
    enum { N = 200 };
    rd_mlp m;
    static float x[N * IN];
    inputs(x, N * IN);
    model(&m, 0.0f, 0.25f);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_rng_seed(&r, 2);
    rd_mlp_forward(&m, &g, rd_input(&g, N, IN, x), 1, &r);
    /* the first layer reads a dropout node: a quarter of the inputs zeroed,
     * the rest scaled by 1/(1 - p) */
    rd_tensor *in = first_layer(&g)->in[0];
    cr_assert_str_eq(in->op->name, "dropout");
    int zeros = 0;
    for (int i = 0; i < N * IN; i++) {
        if (in->data[i] == 0.0f) zeros++;
        else cr_assert_float_eq(in->data[i], x[i] / 0.75f, 1e-6f);
    }
    double share = (double)zeros / (N * IN), sd = sqrt(0.25 * 0.75 / (N * IN));
    cr_assert(fabs(share - 0.25) < 4 * sd, "dropped %.4f of the inputs, want 0.25", share);
    /* evaluation: no dropout node, the inputs go in as they are */
    g.training = 0;
    rd_graph_reset(&g);
    rd_mlp_forward(&m, &g, rd_input(&g, N, IN, x), 1, &r);
    cr_assert_eq(first_layer(&g)->in[0]->data, x);
    rd_graph_free(&g);
    rd_mlp_free(&m);
}

/* With input_dropout = 0 the forward pass is the one of a model that never
 * heard of it: same masks, same logits, bit for bit, in both methods. */
Test(input_dropout, zero_changes_nothing) {
    rd_mlp a, b;
    float x[B * IN];
    inputs(x, B * IN);
    model(&a, 0.3f, 0.0f);
    model(&b, 0.3f, 0.0f);
    for (int copies = 1; copies <= 2; copies++) {
        rd_graph ga, gb;
        rd_graph_init(&ga);
        rd_graph_init(&gb);
        rd_rng ra, rb;
        rd_rng_seed(&ra, 4);
        rd_rng_seed(&rb, 4);
        rd_tensor *la = rd_mlp_forward(&a, &ga, rd_input(&ga, B, IN, x), copies, &ra);
        /* the same network assembled by hand from the ops */
        rd_tensor *h = rd_input(&gb, B, IN, x);
        for (int l = 0; l < b.n_layers; l++) {
            const rd_linear_layer *L = &b.layer[l];
            h = rd_linear(&gb, h, rd_param(&gb, L->in, L->out, b.params + L->w, b.grads + L->w),
                          rd_param(&gb, 1, L->out, b.params + L->b, b.grads + L->b));
            if (l < b.n_layers - 1) h = rd_relu_dropout_copies(&gb, h, l == 0 ? copies : 1, b.dropout, &rb);
        }
        cr_assert_eq(la->rows, h->rows);
        cr_assert(!memcmp(la->data, h->data, (size_t)la->rows * C * sizeof(float)), "copies %d differ", copies);
        cr_assert(!memcmp(&ra, &rb, sizeof ra), "the generators were used differently");
        rd_graph_free(&ga);
        rd_graph_free(&gb);
    }
    rd_mlp_free(&a);
    rd_mlp_free(&b);
}

static double column_norm(const rd_mlp *m, int l, int j) {
    const rd_linear_layer *L = &m->layer[l];
    double s = 0;
    for (int i = 0; i < L->in; i++) {
        double w = m->params[L->w + (size_t)i * L->out + j];
        s += w * w;
    }
    return sqrt(s);
}

Test(max_norm, caps_each_hidden_units_incoming_weights) {
    rd_mlp m, before;
    model(&m, 0.0f, 0.0f);
    model(&before, 0.0f, 0.0f);
    /* grow every other hidden unit's weights past the cap */
    for (int l = 0; l < m.n_layers; l++)
        for (int i = 0; i < m.layer[l].in; i++)
            for (int j = 0; j < m.layer[l].out; j += 2) m.params[m.layer[l].w + (size_t)i * m.layer[l].out + j] *= 8;
    memcpy(before.params, m.params, m.n_params * sizeof(float));
    const float c = 2.0f;
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < H; j += 2)
            cr_assert(column_norm(&m, l, j) > c, "the test needs units above the cap");
    rd_mlp_max_norm(&m, c);
    for (int l = 0; l < 2; l++)
        for (int j = 0; j < H; j++) {
            double was = column_norm(&before, l, j), now = column_norm(&m, l, j);
            if (was <= c) { /* inside the ball: untouched, bit for bit */
                for (int i = 0; i < m.layer[l].in; i++) {
                    size_t k = m.layer[l].w + (size_t)i * H + j;
                    cr_assert_eq(m.params[k], before.params[k], "layer %d unit %d changed", l, j);
                }
            } else { /* on the sphere, same direction */
                cr_assert_float_eq(now, c, 1e-5, "layer %d unit %d has norm %g", l, j, now);
                size_t k = m.layer[l].w + j;
                cr_assert_float_eq(m.params[k], before.params[k] * (c / was), 1e-6);
            }
        }
    /* the output layer and every bias are left alone */
    const rd_linear_layer *out = &m.layer[m.n_layers - 1];
    cr_assert(!memcmp(m.params + out->w, before.params + out->w, (size_t)out->in * out->out * sizeof(float)));
    for (int l = 0; l < m.n_layers; l++)
        cr_assert(!memcmp(m.params + m.layer[l].b, before.params + m.layer[l].b, m.layer[l].out * sizeof(float)));
    rd_mlp_free(&m);
    rd_mlp_free(&before);
}

/* A small labelled dataset of random pixels. */
static void dataset(rd_dataset *d, int n) {
    memset(d, 0, sizeof *d);
    d->n = n;
    d->rows = 4;
    d->cols = 5;
    d->dim = IN;
    d->pixels = malloc((size_t)n * IN);
    d->labels = malloc((size_t)n);
    rd_rng r;
    rd_rng_seed(&r, 13);
    for (int i = 0; i < n * IN; i++) d->pixels[i] = (uint8_t)rd_rng_below(&r, 256);
    for (int i = 0; i < n; i++) d->labels[i] = (uint8_t)rd_rng_below(&r, C);
    rd_dataset_set_normalization(d, 0.0f, 1.0f);
}

Test(consistency, without_dropout_every_pass_is_the_full_network) {
    rd_mlp m;
    rd_dataset d;
    model(&m, 0.0f, 0.0f);
    dataset(&d, 300);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_rng_seed(&r, 1);
    rd_consistency k;
    rd_evaluate_consistency(&m, &g, NULL, &d, 6, &r, &k);
    cr_assert_eq(k.passes, 6);
    /* 0 up to float rounding: sgemm may round a row in the last bit differently
     * depending on where it falls in its register tile */
    cr_assert(k.test_kl >= 0 && k.test_kl < 1e-12, "identical passes disagree: %g", k.test_kl);
    cr_assert_eq(k.mc_acc, k.full_acc);
    cr_assert_eq(k.sub_acc, k.full_acc);
    double loss, acc;
    rd_evaluate(&m, &g, &d, &loss, &acc, NULL);
    cr_assert_float_eq(k.full_acc, acc, 1e-12);
    cr_assert_float_eq(k.loss, loss, 1e-5);
    cr_assert(k.ece >= 0 && k.ece <= 1);
    rd_graph_free(&g);
    rd_dataset_free(&d);
    rd_mlp_free(&m);
}

Test(consistency, with_dropout_passes_disagree) {
    rd_mlp m;
    rd_dataset d;
    model(&m, 0.5f, 0.2f);
    dataset(&d, 300);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_rng_seed(&r, 1);
    rd_consistency k, one;
    rd_evaluate_consistency(&m, &g, NULL, &d, 8, &r, &k);
    cr_assert(k.test_kl > 0, "test_kl %g", k.test_kl);
    cr_assert(k.sub_acc >= 0 && k.sub_acc <= 1 && k.mc_acc >= 0 && k.mc_acc <= 1);
    /* one pass: no pair, and the average of one pass is that pass */
    rd_rng_seed(&r, 1);
    rd_evaluate_consistency(&m, &g, NULL, &d, 1, &r, &one);
    cr_assert(isnan(one.test_kl));
    cr_assert_eq(one.mc_acc, one.sub_acc);
    cr_assert_eq(one.full_acc, k.full_acc);
    /* the same seed gives the same numbers */
    rd_consistency again;
    rd_rng_seed(&r, 1);
    rd_evaluate_consistency(&m, &g, NULL, &d, 8, &r, &again);
    cr_assert(!memcmp(&k, &again, sizeof k));
    rd_graph_free(&g);
    rd_dataset_free(&d);
    rd_mlp_free(&m);
}

/* test_kl by hand for two passes of one image: the mean over pairs of
 * [KL(a||b) + KL(b||a)] / 4, with KL from the softmax of each pass's logits. */
Test(consistency, test_kl_is_the_symmetric_kl_over_four) {
    rd_mlp m;
    rd_dataset d;
    model(&m, 0.5f, 0.0f);
    dataset(&d, 1);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r, r2;
    rd_rng_seed(&r, 21);
    r2 = r;
    rd_consistency k;
    rd_evaluate_consistency(&m, &g, NULL, &d, 2, &r, &k);
    /* the same two passes, again: one forward with 2 copies and the same generator */
    float x[IN];
    int idx = 0;
    rd_dataset_rows(&d, &idx, 1, x);
    rd_graph_reset(&g);
    rd_tensor *z = rd_mlp_forward(&m, &g, rd_input(&g, 1, IN, x), 2, &r2);
    double p[2][C], s[2] = {0, 0};
    for (int a = 0; a < 2; a++) {
        for (int j = 0; j < C; j++) s[a] += exp(z->data[a * C + j]);
        for (int j = 0; j < C; j++) p[a][j] = exp(z->data[a * C + j]) / s[a];
    }
    double kl_ab = 0, kl_ba = 0;
    for (int j = 0; j < C; j++) {
        kl_ab += p[0][j] * log(p[0][j] / p[1][j]);
        kl_ba += p[1][j] * log(p[1][j] / p[0][j]);
    }
    cr_assert(kl_ab + kl_ba > 1e-6, "the two passes agree: the test checks nothing");
    cr_assert_float_eq(k.test_kl, (kl_ab + kl_ba) / 4, 1e-9 + 1e-6 * k.test_kl);
    rd_graph_free(&g);
    rd_dataset_free(&d);
    rd_mlp_free(&m);
}

/* train.engine = reference means the reference ops in the diagnostic too:
 * the fast forward draws the same masks and gives the same numbers. */
Test(consistency, reference_and_fast_forwards_agree) {
    rd_mlp m;
    rd_dataset d;
    model(&m, 0.5f, 0.2f);
    dataset(&d, 300);
    rd_graph g;
    rd_graph_init(&g);
    rd_rng r;
    rd_consistency ref, fast;
    rd_rng_seed(&r, 5);
    rd_evaluate_consistency(&m, &g, rd_mlp_forward, &d, 8, &r, &ref);
    rd_rng_seed(&r, 5);
    rd_evaluate_consistency(&m, &g, rd_fast_mlp_forward, &d, 8, &r, &fast);
    cr_assert(!memcmp(&ref, &fast, sizeof ref), "test_kl %g vs %g, mc_acc %g vs %g", ref.test_kl, fast.test_kl,
              ref.mc_acc, fast.mc_acc);
    rd_graph_free(&g);
    rd_dataset_free(&d);
    rd_mlp_free(&m);
}

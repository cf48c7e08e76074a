/* Tests for daemon/osc_encode.c, checked byte for byte against liblo's own encoder. */
#include <lo/lo.h>
#include <stdlib.h>
#include <string.h>

#include "targets/osc_encode.h"
#include "parse.h"
#include "payload.h"
#include "unit.h"

/* Parses an "osc" payload from JSON text. */
static bool osc_payload(const char *text, rd_payload_t *p)
{
    json_t *o = json_loads(text, 0, NULL);
    rd_diags_t d = {0};
    memset(p, 0, sizeof *p);
    bool ok = o && rd__parse_payload(o, "cue", p, &d);
    json_decref(o);
    rd_diags_free(&d);
    return ok;
}

/* What liblo encodes for the same message. */
static void *liblo_bytes(const rd_osc_msg_t *m, size_t *len)
{
    lo_message msg = lo_message_new();
    lo_blob blobs[16];
    int nblobs = 0;
    for (size_t i = 0; i < m->nargs; i++) {
        const rd_osc_arg_t *a = &m->args[i];
        switch (a->tag) {
        case 'i':
            lo_message_add_int32(msg, a->v.i);
            break;
        case 'h':
            lo_message_add_int64(msg, a->v.h);
            break;
        case 'f':
            lo_message_add_float(msg, a->v.f);
            break;
        case 'd':
            lo_message_add_double(msg, a->v.d);
            break;
        case 's':
            lo_message_add_string(msg, a->v.s);
            break;
        case 'S':
            lo_message_add_symbol(msg, a->v.s);
            break;
        case 'c':
            lo_message_add_char(msg, (char)a->v.c);
            break;
        case 'm':
            lo_message_add_midi(msg, (uint8_t *)a->v.m);
            break;
        case 'T':
            lo_message_add_true(msg);
            break;
        case 'F':
            lo_message_add_false(msg);
            break;
        case 'N':
            lo_message_add_nil(msg);
            break;
        case 'I':
            lo_message_add_infinitum(msg);
            break;
        case 'b':
            blobs[nblobs] = lo_blob_new((int32_t)a->v.b.len, a->v.b.data);
            lo_message_add_blob(msg, blobs[nblobs++]);
            break;
        }
    }
    void *bytes = lo_message_serialise(msg, m->address, NULL, len);
    lo_message_free(msg);
    for (int i = 0; i < nblobs; i++)
        lo_blob_free(blobs[i]);
    return bytes;
}

static void check_against_liblo(const char *text)
{
    rd_payload_t p;
    if (!osc_payload(text, &p)) {
        unit_fail(__FILE__, __LINE__, "does not parse: %s", text);
        return;
    }
    uint8_t buf[1024];
    size_t n = sc_osc_encode(&p.osc, buf, sizeof buf);
    size_t lo_len = 0;
    void *lo = liblo_bytes(&p.osc, &lo_len);
    if (n != lo_len || memcmp(buf, lo, n) != 0)
        unit_fail(__FILE__, __LINE__, "%s: %zu bytes differ from liblo's %zu", text, n, lo_len);
    if (n != rd_osc_encoded_size(&p.osc))
        unit_fail(__FILE__, __LINE__, "%s: size %zu, predicted %zu", text, n,
                  rd_osc_encoded_size(&p.osc));
    free(lo);
    rd_payload_free(&p);
}

TEST(osc_encode_matches_liblo_for_every_type)
{
    check_against_liblo("{\"osc\": {\"address\": \"/atem/cut\"}}");
    check_against_liblo("{\"osc\": {\"address\": \"/a\", \"args\": [3]}}");
    check_against_liblo("{\"osc\": {\"address\": \"/ch/01/mix/fader\", \"types\": \"f\", "
                        "\"args\": [0.75]}}");
    check_against_liblo("{\"osc\": {\"address\": \"/abc\", \"types\": \"ihfdsScTFNImb\", "
                        "\"args\": [-7, -5000000000, 1.5, 2.25, \"text\", \"sym\", \"x\", true, "
                        "false, null, null, [1, 144, 60, 100], [1, 2, 3, 4, 5]]}}");
    check_against_liblo("{\"osc\": {\"address\": \"/pad\", \"args\": [\"abc\", \"abcd\", "
                        "\"\", \"\\u00e9t\\u00e9\"]}}");
    check_against_liblo("{\"osc\": {\"address\": \"/blob\", \"types\": \"bb\", \"args\": "
                        "[[9], [255, 0, 192, 219]]}}");
}

TEST(osc_encode_refuses_small_buffer)
{
    rd_payload_t p;
    ASSERT_TRUE(osc_payload("{\"osc\": {\"address\": \"/atem/preview\", \"args\": [3]}}", &p));
    uint8_t buf[64];
    size_t n = sc_osc_encode(&p.osc, buf, sizeof buf);
    ASSERT_EQ(n, 24);
    ASSERT_EQ(sc_osc_encode(&p.osc, buf, 23), 0);
    rd_payload_free(&p);
}

TEST(osc_frame_length_prefix)
{
    const uint8_t pkt[8] = {'/', 'a', 0, 0, ',', 0, 0, 0};
    uint8_t out[16];
    ASSERT_EQ(sc_osc_frame(RD_FRAMING_LENGTH, pkt, 8, out, sizeof out), 12);
    const uint8_t want[12] = {0, 0, 0, 8, '/', 'a', 0, 0, ',', 0, 0, 0};
    ASSERT_TRUE(memcmp(out, want, 12) == 0);
    ASSERT_EQ(sc_osc_frame(RD_FRAMING_LENGTH, pkt, 8, out, 11), 0);
}

TEST(osc_frame_slip_escapes)
{
    const uint8_t pkt[4] = {0xC0, 1, 0xDB, 2};
    uint8_t out[16];
    size_t n = sc_osc_frame(RD_FRAMING_SLIP, pkt, 4, out, sizeof out);
    const uint8_t want[] = {0xC0, 0xDB, 0xDC, 1, 0xDB, 0xDD, 2, 0xC0};
    ASSERT_EQ(n, sizeof want);
    ASSERT_TRUE(memcmp(out, want, n) == 0);
    ASSERT_TRUE(n <= sc_osc_frame_max(RD_FRAMING_SLIP, 4));
}

/* liblo cannot make an empty blob; OSC allows one: a zero size and no data. */
TEST(osc_encode_empty_blob)
{
    rd_payload_t p;
    ASSERT_TRUE(
        osc_payload("{\"osc\": {\"address\": \"/b\", \"types\": \"b\", \"args\": [[]]}}", &p));
    uint8_t buf[32];
    const uint8_t want[] = {'/', 'b', 0, 0, ',', 'b', 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(sc_osc_encode(&p.osc, buf, sizeof buf), sizeof want);
    ASSERT_TRUE(memcmp(buf, want, sizeof want) == 0);
    rd_payload_free(&p);
}

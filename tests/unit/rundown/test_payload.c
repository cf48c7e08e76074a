/* Tests for rundown/payload.c: OSC arguments, type tags and websocket texts. */
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "unit.h"

/* Parses the cue-like object text's payload. */
static bool payload(const char *text, rd_payload_t *p, rd_diags_t *d)
{
    memset(d, 0, sizeof *d);
    memset(p, 0, sizeof *p);
    d->file = "f";
    json_t *o = json_loads(text, 0, NULL);
    if (!o)
        return false;
    bool ok = rd__parse_payload(o, "cue", p, d);
    json_decref(o);
    return ok;
}

static const char *first_message(const rd_diags_t *d)
{
    return d->count ? d->items[0].message : "(none)";
}

TEST(payload_osc_inferred_types)
{
    rd_payload_t p;
    rd_diags_t d;
    ASSERT_TRUE(payload("{\"osc\": {\"address\": \"/a\", \"args\": [1, 5000000000, 0.5, \"s\", "
                        "true, false, null, -2147483648]}}",
                        &p, &d));
    ASSERT_EQ(p.kind, RD_PAYLOAD_OSC);
    ASSERT_STR_EQ(p.osc.types, "ihfsTFNi");
    ASSERT_EQ(p.osc.nargs, 8);
    ASSERT_EQ(p.osc.args[0].v.i, 1);
    ASSERT_EQ(p.osc.args[1].v.h, 5000000000LL);
    ASSERT_TRUE(p.osc.args[2].v.f == 0.5f);
    ASSERT_STR_EQ(p.osc.args[3].v.s, "s");
    ASSERT_EQ(p.osc.args[7].v.i, INT32_MIN);
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_osc_explicit_types)
{
    rd_payload_t p;
    rd_diags_t d;
    ASSERT_TRUE(payload("{\"osc\": {\"address\": \"/a\", \"types\": \",ihfdsScTFNImb\", \"args\": "
                        "[1, 2, 3, 0.25, \"x\", \"sym\", \"A\", true, false, null, null, "
                        "[0, 144, 60, 100], [222, 173]]}}",
                        &p, &d));
    ASSERT_STR_EQ(p.osc.types, "ihfdsScTFNImb"); /* a leading ',' is accepted and dropped */
    ASSERT_EQ(p.osc.args[1].v.h, 2);
    ASSERT_TRUE(p.osc.args[2].v.f == 3.0f); /* an integer for 'f' */
    ASSERT_TRUE(p.osc.args[3].v.d == 0.25);
    ASSERT_STR_EQ(p.osc.args[5].v.s, "sym");
    ASSERT_EQ(p.osc.args[6].v.c, 'A');
    ASSERT_EQ(p.osc.args[11].v.m[1], 144);
    ASSERT_EQ(p.osc.args[12].v.b.len, 2);
    ASSERT_EQ(p.osc.args[12].v.b.data[0], 222);
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_osc_encoded_size)
{
    rd_payload_t p;
    rd_diags_t d;
    /* "/ab\0" 4 + ",isb\0" pad 8 + i 4 + "xyz\0" 4 + blob 4+4 = 28 */
    ASSERT_TRUE(payload("{\"osc\": {\"address\": \"/ab\", \"types\": \"isb\", \"args\": [1, "
                        "\"xyz\", [1, 2, 3]]}}",
                        &p, &d));
    ASSERT_EQ(rd_osc_encoded_size(&p.osc), 28);
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_osc_too_large_is_refused)
{
    size_t n = 70000;
    char *text = malloc(n + 100);
    strcpy(text, "{\"osc\": {\"address\": \"/big\", \"args\": [\"");
    size_t len = strlen(text);
    memset(text + len, 'x', n);
    strcpy(text + len + n, "\"]}}");
    rd_payload_t p;
    rd_diags_t d;
    bool ok = payload(text, &p, &d);
    free(text);
    ASSERT_FALSE(ok);
    ASSERT_CONTAINS(first_message(&d), "the limit is 65000");
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_osc_type_mismatches)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"i\", \"args\": [1.5]}}",
         "type tag 'i' needs an integer, not a number"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"s\", \"args\": [1]}}",
         "type tag 's' needs a string, not an integer"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"N\", \"args\": [0]}}",
         "type tag 'N' needs null, not an integer"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"c\", \"args\": [\"ab\"]}}",
         "type tag 'c' needs one ASCII character or a number 0-255, not a string"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"b\", \"args\": [[256]]}}",
         "type tag 'b' needs an array of byte values 0-255"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"ii\", \"args\": [1]}}",
         "\"ii\" has 2 type tags but args has 1 value"},
        {"{\"osc\": {\"address\": \"/a\", \"types\": \"i\"}}",
         "\"i\" has 1 type tag but args has 0 values"},
        {"{\"osc\": {\"address\": \"/a#b\"}}",
         "OSC address \"/a#b\" may contain only printable ASCII without spaces, '#' or ','"},
        {"{\"osc\": {\"address\": \"/a\", \"args\": [{\"x\": 1}]}}",
         "an object cannot be an OSC argument without \"types\" (use 'm' or 'b')"},
        {"{\"osc\": \"/a\"}", "must be an object with \"address\" and \"args\", not a string"},
        {"{}", "needs a payload: \"osc\", \"ws\", \"obs\", \"http\" or \"tcp\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_payload_t p;
        rd_diags_t d;
        bool ok = payload(cases[i].text, &p, &d);
        if (ok || strcmp(first_message(&d), cases[i].message) != 0)
            unit_fail(__FILE__, __LINE__, "%s:\n#   got:  %s\n#   want: %s", cases[i].text,
                      first_message(&d), cases[i].message);
        rd_payload_free(&p);
        rd_diags_free(&d);
    }
}

TEST(payload_ws_string_is_sent_as_is)
{
    rd_payload_t p;
    rd_diags_t d;
    ASSERT_TRUE(payload("{\"ws\": \"PLAY 1-10 \\\"bug\\\"\"}", &p, &d));
    ASSERT_EQ(p.kind, RD_PAYLOAD_WS);
    ASSERT_STR_EQ(p.ws_text, "PLAY 1-10 \"bug\"");
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_ws_other_json_is_serialized_compactly_in_order)
{
    rd_payload_t p;
    rd_diags_t d;
    ASSERT_TRUE(payload("{\"ws\": {\"op\": 6, \"d\": {\"requestType\": \"SetCurrentProgramScene\","
                        " \"requestId\": \"1\", \"list\": [1, 2.5, null]}}}",
                        &p, &d));
    ASSERT_STR_EQ(p.ws_text, "{\"op\":6,\"d\":{\"requestType\":\"SetCurrentProgramScene\","
                             "\"requestId\":\"1\",\"list\":[1,2.5,null]}}");
    rd_payload_free(&p);
    rd_diags_free(&d);

    ASSERT_TRUE(payload("{\"ws\": 42}", &p, &d));
    ASSERT_STR_EQ(p.ws_text, "42");
    rd_payload_free(&p);
    rd_diags_free(&d);
}

TEST(payload_both_kinds_is_an_error)
{
    rd_payload_t p;
    rd_diags_t d;
    ASSERT_FALSE(payload("{\"ws\": 1, \"osc\": {\"address\": \"/a\"}}", &p, &d));
    ASSERT_STR_EQ(first_message(&d), "has both \"osc\" and \"ws\"; a cue sends one message");
    rd_payload_free(&p);
    rd_diags_free(&d);
}

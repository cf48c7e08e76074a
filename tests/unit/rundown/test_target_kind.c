/* Tests for rundown/target_kind.c: the one descriptor of each kind of target. */
#include <string.h>

#include "payload.h"
#include "target_kind.h"
#include "unit.h"

/* One row per kind, in the enum's order, each with a scheme of its own and a
 * payload the library can parse. */
TEST(target_kind_table_is_whole)
{
    ASSERT_EQ(rd_ntarget_kinds, 7);
    for (size_t i = 0; i < rd_ntarget_kinds; i++) {
        const rd_target_kind_info_t *k = &rd_target_kinds[i];
        ASSERT_EQ(k->kind, (rd_target_kind_t)i);
        ASSERT_TRUE(rd_target_kind_info(k->kind) == k);
        ASSERT_STR_EQ(rd_target_kind_name(k->kind), k->name);
        size_t n = strlen(k->scheme);
        ASSERT_TRUE(n > 3 && strcmp(k->scheme + n - 3, "://") == 0);
        ASSERT_TRUE(strncmp(k->url_form, k->scheme, n) == 0);
        ASSERT_TRUE(strncmp(k->example, k->scheme, n) == 0);
        ASSERT_TRUE(strcmp(rd_payload_key(k->payload), "?") != 0);
        for (size_t j = 0; j < i; j++)
            ASSERT_TRUE(strcmp(rd_target_kinds[j].scheme, k->scheme) != 0);
    }
    ASSERT_TRUE(rd_target_kind_info((rd_target_kind_t)99) == NULL);
    ASSERT_STR_EQ(rd_target_kind_name((rd_target_kind_t)99), "?");
}

TEST(target_kind_facts)
{
    ASSERT_STR_EQ(rd_payload_key(rd_target_kind_info(RD_TARGET_OSC_TCP)->payload), "osc");
    ASSERT_TRUE(rd_target_kind_info(RD_TARGET_OSC_TCP)->framing);
    ASSERT_FALSE(rd_target_kind_info(RD_TARGET_OSC_UDP)->framing);
    ASSERT_TRUE(rd_target_kind_info(RD_TARGET_WS)->path);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_WS)->default_port, 80);
    ASSERT_STR_EQ(rd__payload_phrase(RD_PAYLOAD_WS), "a \"ws\" payload");
    char keys[64];
    rd__payload_key_list(keys, sizeof keys);
    ASSERT_STR_EQ(keys, "\"osc\", \"ws\", \"obs\", \"http\" or \"tcp\"");
    /* What each kind's device answers, and what "answer" may ask for. */
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_OBS)->answers, RD_ANSWER_ALWAYS);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_HTTP)->answers, RD_ANSWER_ALWAYS);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_TCP)->answer_choice, RD_ANSWER_LINE);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_WS)->answer_choice, RD_ANSWER_MESSAGE);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_OSC_UDP)->answer_choice, RD_ANSWER_NONE);
    ASSERT_TRUE(rd_target_kind_info(RD_TARGET_OBS)->password);
    ASSERT_TRUE(rd_target_kind_info(RD_TARGET_TCP)->eol);
    ASSERT_EQ(rd_target_kind_info(RD_TARGET_OBS)->default_port, 4455);
    ASSERT_STR_EQ(rd_answer_mode_name(RD_ANSWER_LINE), "line");
    ASSERT_TRUE(rd_answer_mode_name(RD_ANSWER_ALWAYS) == NULL);
}

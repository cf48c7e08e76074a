/* Tests for daemon/show/errors.c: one wire code and one HTTP status per error, the show's mapped
 * once. */
#include <stdio.h>
#include <string.h>

#include "show/command.h"
#include "show/errors.h"
#include "unit.h"

/* Every error has its own code: a client tells them apart by it. */
TEST(errors_every_code_is_there_and_unique)
{
    for (int i = 0; i < SC_ERR_COUNT; i++) {
        const char *a = sc_err_code((sc_err_t)i);
        ASSERT_TRUE(a && a[0] && strcmp(a, "error") != 0);
        for (int j = i + 1; j < SC_ERR_COUNT; j++)
            ASSERT_TRUE(strcmp(a, sc_err_code((sc_err_t)j)) != 0);
    }
    ASSERT_STR_EQ(sc_err_code(SC_ERR_COUNT), "error");
    ASSERT_EQ(sc_err_http_status(SC_ERR_COUNT), 500);
}

/* The statuses the README promises for POST /api/<cmd>. */
TEST(errors_http_statuses)
{
    ASSERT_EQ(sc_err_http_status(SC_ERR_OK), 200);
    ASSERT_EQ(sc_err_http_status(SC_ERR_BAD_JSON), 400);
    ASSERT_EQ(sc_err_http_status(SC_ERR_BAD_ARGUMENT), 400);
    ASSERT_EQ(sc_err_http_status(SC_ERR_MISSING_ARGUMENT), 400);
    ASSERT_EQ(sc_err_http_status(SC_ERR_UNAUTHORIZED), 401);
    ASSERT_EQ(sc_err_http_status(SC_ERR_UNKNOWN_COMMAND), 404);
    ASSERT_EQ(sc_err_http_status(SC_ERR_UNKNOWN_ITEM), 404);
    ASSERT_EQ(sc_err_http_status(SC_ERR_UNKNOWN_CUE), 404);
    ASSERT_EQ(sc_err_http_status(SC_ERR_NOT_FOUND), 404);
    ASSERT_EQ(sc_err_http_status(SC_ERR_METHOD_NOT_ALLOWED), 405);
    ASSERT_EQ(sc_err_http_status(SC_ERR_LENGTH_REQUIRED), 411);
    ASSERT_EQ(sc_err_http_status(SC_ERR_TOO_LARGE), 413);
    ASSERT_EQ(sc_err_http_status(SC_ERR_GO_GUARD), 429);
    ASSERT_EQ(sc_err_http_status(SC_ERR_RATE_LIMITED), 429);
    ASSERT_EQ(sc_err_http_status(SC_ERR_SHUTTING_DOWN), 503);
    ASSERT_EQ(sc_err_http_status(SC_ERR_TOO_MANY_CLIENTS), 503);
    ASSERT_EQ(sc_err_http_status(SC_ERR_RELOAD_FAILED), 409);
    ASSERT_EQ(sc_err_http_status(SC_ERR_NOT_HOLDING), 409);
}

/* Each refusal of the state machine has its own wire error, with the codes
 * the wire has always carried. */
TEST(errors_from_show)
{
    static const struct {
        rd_show_err_t show;
        const char *code;
    } map[] = {
        {RD_SHOW_ERR_UNKNOWN_ITEM, "unknown_item"},
        {RD_SHOW_ERR_UNKNOWN_CUE, "unknown_cue"},
        {RD_SHOW_ERR_ENDED, "show_ended"},
        {RD_SHOW_ERR_NOTHING_NEXT, "nothing_next"},
        {RD_SHOW_ERR_NOTHING_BACK, "nothing_back"},
        {RD_SHOW_ERR_NOT_RUNNING, "not_running"},
        {RD_SHOW_ERR_NOT_HOLDING, "not_holding"},
        {RD_SHOW_ERR_ALREADY_HOLDING, "already_holding"},
        {RD_SHOW_ERR_ITEM_RUNNING, "item_running"},
        {RD_SHOW_ERR_NEGATIVE, "negative_duration"},
        {RD_SHOW_ERR_IN_PREROLL, "in_preroll"},
        {RD_SHOW_ERR_RUNNING_REMOVED, "running_item_removed"},
    };
    ASSERT_EQ(sc_err_from_show(RD_SHOW_OK), SC_ERR_OK);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        ASSERT_STR_EQ(sc_err_code(sc_err_from_show(map[i].show)), map[i].code);
    ASSERT_EQ(RD_SHOW_ERR_RUNNING_REMOVED + 1, 1 + sizeof map / sizeof map[0]);
}

/* A result carries the error and its code. */
TEST(errors_result_error_sets_code_and_message)
{
    sc_result_t r;
    sc_result_error(&r, SC_ERR_UNKNOWN_CUE, "no cue %s", "x1");
    ASSERT_FALSE(r.ok);
    ASSERT_EQ(r.err, SC_ERR_UNKNOWN_CUE);
    ASSERT_STR_EQ(r.code, "unknown_cue");
    ASSERT_STR_EQ(r.message, "no cue x1");
    sc_result_ok(&r);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.err, SC_ERR_OK);
    ASSERT_TRUE(r.code == NULL);
}

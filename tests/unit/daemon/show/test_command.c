/* Tests for daemon/show/command.c: the one command table, decoded from the doors' two forms. */
#include <stdlib.h>
#include <string.h>

#include "show/command.h"
#include "unit.h"

TEST(command_table_names)
{
    for (int i = 0; i < SC_CMD_COUNT; i++)
        ASSERT_EQ(sc_command_lookup(sc_command_name((sc_cmd_id_t)i)), i);
    ASSERT_EQ(sc_command_lookup("frobnicate"), -1);
    ASSERT_STR_EQ(sc_command_name(SC_CMD_CLEAR_MESSAGE), "clear_message");
    ASSERT_STR_EQ(sc_door_name(SC_DOOR_FILE), "file");
}

/* Named arguments (websocket, HTTP): what is missing, wrong or unknown is an
 * error with the wire code a client acts on. */
TEST(command_from_json)
{
    sc_command_t c;
    sc_result_t r;
    json_t *a = json_pack("{s:s, s:f}", "cmd", "add", "seconds", -1.5);
    ASSERT_TRUE(sc_command_from_json("add", a, &c, &r));
    ASSERT_EQ(c.id, SC_CMD_ADD);
    ASSERT_EQ(c.add_ns, -1500000000);
    json_decref(a);
    ASSERT_FALSE(sc_command_from_json("goto", NULL, &c, &r));
    ASSERT_EQ(r.err, SC_ERR_MISSING_ARGUMENT);
    a = json_pack("{s:i}", "item", 3);
    ASSERT_FALSE(sc_command_from_json("goto", a, &c, &r));
    ASSERT_EQ(r.err, SC_ERR_BAD_ARGUMENT);
    json_decref(a);
    ASSERT_FALSE(sc_command_from_json("nope", NULL, &c, &r));
    ASSERT_EQ(r.err, SC_ERR_UNKNOWN_COMMAND);
    ASSERT_STR_EQ(r.code, "unknown_command");
    a = json_pack("{s:s, s:s}", "text", "WRAP", "color", "not a colour");
    ASSERT_FALSE(sc_command_from_json("message", a, &c, &r));
    ASSERT_EQ(r.err, SC_ERR_BAD_ARGUMENT);
    json_decref(a);
}

/* Positional arguments (OSC) in the table's order; skip defaults to on. */
TEST(command_from_values)
{
    sc_command_t c;
    sc_result_t r;
    sc_value_t v[2] = {{.kind = SC_VAL_STRING, .s = "weather"}};
    ASSERT_TRUE(sc_command_from_values("skip", v, 1, &c, &r));
    ASSERT_EQ(c.id, SC_CMD_SKIP);
    ASSERT_STR_EQ(c.item, "weather");
    ASSERT_TRUE(c.on);
    v[0] = (sc_value_t){.kind = SC_VAL_INT, .i = 30};
    ASSERT_TRUE(sc_command_from_values("add", v, 1, &c, &r));
    ASSERT_EQ(c.add_ns, 30000000000LL);
    ASSERT_FALSE(sc_command_from_values("go", v, 1, &c, &r));
    ASSERT_EQ(r.err, SC_ERR_BAD_ARGUMENT);
}

/* The as-run log's summary of the arguments, as a resume reads them back. */
TEST(command_args_json)
{
    sc_command_t c;
    sc_result_t r;
    json_t *a = json_pack("{s:s, s:b}", "item", "b", "on", 0);
    ASSERT_TRUE(sc_command_from_json("skip", a, &c, &r));
    json_decref(a);
    json_t *o = sc_command_args_json(&c);
    char *text = json_dumps(o, JSON_COMPACT);
    ASSERT_STR_EQ(text, "{\"item\":\"b\",\"on\":false}");
    free(text);
    json_decref(o);
    ASSERT_TRUE(sc_command_from_json("go", NULL, &c, &r));
    o = sc_command_args_json(&c);
    ASSERT_EQ(json_object_size(o), 0);
    json_decref(o);
}

/*
 * libFuzzer target for the OSC door's decoder (daemon/osc_decode.c): the
 * input is one UDP datagram's bytes, exactly as the door hands them to
 * sc_osc_decode after recvfrom. That covers our bundle walk, liblo's
 * lo_message_deserialise on every message under /showcaller/, the argument
 * conversion and the command table. liblo itself is the system's library,
 * not instrumented: ASan sees its memory only through the libc calls it
 * intercepts, and the coverage figures count our code alone.
 *
 * What the door relies on, checked here: an error return never called back;
 * at most SC_OSC_MAX_MESSAGES calls; every address lies inside the datagram;
 * a command is ok, comes from the OSC door with the given source and
 * summarises to a JSON object; a refusal has a code; the name is the
 * address after the prefix. ASan's leak checker runs: no lo_message may
 * leak on any path.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doors/osc_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *data;
    size_t size;
    int calls;
} run_t;

static void check(void *ctx, sc_osc_msg_t *m)
{
    run_t *run = ctx;
    if (++run->calls > SC_OSC_MAX_MESSAGES)
        __builtin_trap();
    const uint8_t *a = (const uint8_t *)m->address;
    if (a < run->data || a >= run->data + run->size ||
        !memchr(a, 0, (size_t)(run->data + run->size - a)))
        __builtin_trap();
    bool ours = strncmp(m->address, SC_OSC_PREFIX, SC_OSC_PREFIX_LEN) == 0;
    if (ours != (m->kind != SC_OSC_OTHER))
        __builtin_trap();
    if (ours ? m->name != m->address + SC_OSC_PREFIX_LEN : m->name[0] != '\0')
        __builtin_trap();
    switch (m->kind) {
    case SC_OSC_COMMAND: {
        if (!m->result.ok || m->cmd.door != SC_DOOR_OSC || strcmp(m->cmd.source, "fuzz") != 0 ||
            strcmp(sc_command_name(m->cmd.id), m->name) != 0)
            __builtin_trap();
        json_t *args = sc_command_args_json(&m->cmd);
        char *text = json_is_object(args) ? json_dumps(args, JSON_COMPACT) : NULL;
        if (!text)
            __builtin_trap(); /* every string a command keeps must be valid UTF-8 */
        free(text);
        json_decref(args);
        break;
    }
    case SC_OSC_REFUSED:
        if (m->result.ok || !m->result.code || !m->result.message[0])
            __builtin_trap();
        break;
    default:
        if (!m->result.ok)
            __builtin_trap();
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_t run = {data, size, 0};
    sc_osc_err_t err = sc_osc_decode(data, size, "fuzz", check, &run);
    if (err != SC_OSC_OK && run.calls != 0)
        __builtin_trap(); /* libuv's rule: an error return never called back */
    if (!sc_osc_strerror(err)[0])
        __builtin_trap();
    return 0;
}

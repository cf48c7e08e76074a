/* The kinds of cue target, by URL scheme: what each carries and how its URL reads. */
#include "target_kind.h"

/* In the enum's order; rd_target_kind_info checks it. */
const rd_target_kind_info_t rd_target_kinds[] = {
    {RD_TARGET_OSC_UDP, "osc.udp", "osc.udp://", "osc.udp://HOST:PORT", "osc.udp://127.0.0.1:9001",
     "an OSC target", RD_PAYLOAD_OSC, false, 0, false, RD_ANSWER_NONE, RD_ANSWER_NONE, false, false,
     false},
    {RD_TARGET_OSC_TCP, "osc.tcp", "osc.tcp://", "osc.tcp://HOST:PORT", "osc.tcp://127.0.0.1:9003",
     "an OSC target", RD_PAYLOAD_OSC, false, 0, true, RD_ANSWER_NONE, RD_ANSWER_NONE, false, false,
     false},
    {RD_TARGET_WS, "ws", "ws://", "ws://HOST:PORT/PATH", "ws://127.0.0.1:9002/",
     "a websocket target", RD_PAYLOAD_WS, true, 80, false, RD_ANSWER_NONE, RD_ANSWER_MESSAGE, false,
     false, false},
    {RD_TARGET_OBS, "obs", "obs://", "obs://HOST:PORT", "obs://127.0.0.1:4455", "an OBS target",
     RD_PAYLOAD_OBS, false, 4455, false, RD_ANSWER_ALWAYS, RD_ANSWER_NONE, true, false, false},
    {RD_TARGET_HTTP, "http", "http://", "http://HOST:PORT/BASE", "http://127.0.0.1:8088/",
     "an HTTP target", RD_PAYLOAD_HTTP, true, 80, false, RD_ANSWER_ALWAYS, RD_ANSWER_NONE, false,
     false, false},
    {RD_TARGET_TCP, "tcp", "tcp://", "tcp://HOST:PORT", "tcp://127.0.0.1:5250", "a TCP text target",
     RD_PAYLOAD_TCP, false, 0, false, RD_ANSWER_NONE, RD_ANSWER_LINE, false, true, false},
    {RD_TARGET_HTTPS, "https", "https://", "https://HOST:PORT/BASE", "https://127.0.0.1:8443/",
     "an HTTPS target", RD_PAYLOAD_HTTP, true, 443, false, RD_ANSWER_ALWAYS, RD_ANSWER_NONE, false,
     false, true},
};
const size_t rd_ntarget_kinds = sizeof rd_target_kinds / sizeof rd_target_kinds[0];

const rd_target_kind_info_t *rd_target_kind_info(rd_target_kind_t kind)
{
    for (size_t i = 0; i < rd_ntarget_kinds; i++)
        if (rd_target_kinds[i].kind == kind)
            return &rd_target_kinds[i];
    return NULL;
}

const char *rd_answer_mode_name(rd_answer_mode_t mode)
{
    switch (mode) {
    case RD_ANSWER_LINE:
        return "line";
    case RD_ANSWER_MESSAGE:
        return "message";
    default:
        return NULL;
    }
}

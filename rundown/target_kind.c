/* The kinds of cue target, by URL scheme: what each carries and how its URL reads. */
#include "target_kind.h"

/* In the enum's order; rd_target_kind_info checks it. */
const rd_target_kind_info_t rd_target_kinds[] = {
    {RD_TARGET_OSC_UDP, "osc.udp", "osc.udp://", "osc.udp://HOST:PORT", "osc.udp://127.0.0.1:9001",
     "an OSC target", RD_PAYLOAD_OSC, false, 0, false},
    {RD_TARGET_OSC_TCP, "osc.tcp", "osc.tcp://", "osc.tcp://HOST:PORT", "osc.tcp://127.0.0.1:9003",
     "an OSC target", RD_PAYLOAD_OSC, false, 0, true},
    {RD_TARGET_WS, "ws", "ws://", "ws://HOST:PORT/PATH", "ws://127.0.0.1:9002/",
     "a websocket target", RD_PAYLOAD_WS, true, 80, false},
};
const size_t rd_ntarget_kinds = sizeof rd_target_kinds / sizeof rd_target_kinds[0];

const rd_target_kind_info_t *rd_target_kind_info(rd_target_kind_t kind)
{
    for (size_t i = 0; i < rd_ntarget_kinds; i++)
        if (rd_target_kinds[i].kind == kind)
            return &rd_target_kinds[i];
    return NULL;
}

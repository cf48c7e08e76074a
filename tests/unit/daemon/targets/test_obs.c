/* Tests for daemon/targets/obs.c's pure part: obs-websocket v5's authentication. */
#include "targets/obs.h"
#include "unit.h"

/* The worked example in obs-websocket's protocol documentation
 * (docs/generated/protocol.md, "Creating an authentication string"). */
TEST(obs_auth_matches_the_protocol_example)
{
    char out[64];
    sc_obs_auth("supersecretpassword", "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
                "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=", out, sizeof out);
    ASSERT_STR_EQ(out, "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=");
}

/* OBS targets' pure parts: obs-websocket v5's authentication string. */
#ifndef SC_OBS_H
#define SC_OBS_H

#include <stddef.h>

/* base64(sha256(base64(sha256(password + salt)) + challenge)), as
 * obs-websocket's Hello asks, into out (at least 45 bytes). */
void sc_obs_auth(const char *password, const char *salt, const char *challenge, char *out,
                 size_t cap);

#endif

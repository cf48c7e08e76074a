/* Tokens: the control token (configured, or generated once and kept in data_dir) and the view
 * token. */
#ifndef SC_AUTH_H
#define SC_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* The control token: the configured one, else the one kept in
 * DATA_DIR/control_token, else a new random one written there (0600).
 * Returns a string the caller frees, or NULL with err filled. *generated
 * tells whether it was made now. */
char *sc_auth_control_token(const char *configured, const char *data_dir, bool *generated,
                            char *err, size_t errlen);

#endif

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

/* The tokens in force (the process owns them; a reload may change them). */
typedef struct {
    char *control; /* never NULL once started */
    char *view;    /* NULL: viewing needs no token */
} sc_tokens_t;

typedef enum { SC_ROLE_NONE = 0, SC_ROLE_VIEW = 1, SC_ROLE_CONTROL = 2 } sc_role_t;

/* What a presented token (may be NULL) grants. The control token grants
 * viewing too; with no view token set, anyone may view. */
sc_role_t sc_auth_role(const sc_tokens_t *t, const char *presented);

/* Constant-time comparison of a presented token with the expected one. */
bool sc_auth_token_equal(const char *presented, const char *expected);

#endif
